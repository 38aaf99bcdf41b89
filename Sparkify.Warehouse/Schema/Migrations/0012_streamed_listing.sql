-- Ingest records a scan's batch page by page while it lists (bounded memory whatever the key count): the batch is
-- opened with the first page's new files and expected_files stays NULL until the listing has ended, so that no star
-- load can claim a batch whose manifest is not whole. Whether a batch has a manifest (was opened by Ingest, not by
-- `sparkify load`) is therefore said by a column of its own, no longer by expected_files being set.
ALTER TABLE batches ADD COLUMN has_manifest boolean NOT NULL DEFAULT false;
UPDATE batches SET has_manifest = true WHERE expected_files IS NOT NULL;

-- Where the last listing of an ordered prefix (keys that arrive in lexical order, the dated log_data/YYYY/MM/... layout)
-- ended: the next scan lists only the keys after it (ListObjectsV2 StartAfter), until a full listing is due again
-- (full_listing_at older than Ingest's FullListingIntervalMinutes), which finds keys that appeared below it.
CREATE TABLE listing_watermarks (
    bucket          text NOT NULL,
    prefix          text NOT NULL,
    last_key        text NOT NULL,
    full_listing_at timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, prefix)
);
