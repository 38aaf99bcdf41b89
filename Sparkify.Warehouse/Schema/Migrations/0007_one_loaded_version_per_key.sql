-- Which of two versions of a key is the newer: the source's own modification time (S3 LastModified, a local file's
-- modification time), then the ETag, so that the choice never depends on which was staged first.
ALTER TABLE load_files ADD COLUMN source_modified_at timestamptz;
ALTER TABLE batch_files ADD COLUMN source_modified_at timestamptz;

-- One loaded version per key. The (key, ETag) index let two versions staged at the same moment both end loaded;
-- keep the later-loaded one of any such pair before the stricter index goes in.
UPDATE load_files f SET status = 'superseded'
WHERE f.status = 'loaded'
  AND EXISTS (SELECT 1 FROM load_files g WHERE g.file_key = f.file_key AND g.status = 'loaded' AND g.file_id > f.file_id);
DROP INDEX load_files_loaded_once;
CREATE UNIQUE INDEX load_files_one_loaded_version ON load_files (file_key) WHERE status = 'loaded';
