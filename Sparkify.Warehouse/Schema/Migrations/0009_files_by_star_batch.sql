-- The batch-scoped quality checks read the files a batch's star load consumed: find them by batch, not by scanning
-- every file ever loaded (which grows with the history, not with the batch).
CREATE INDEX load_files_star_batch ON load_files (star_batch_id) WHERE star_batch_id IS NOT NULL;
