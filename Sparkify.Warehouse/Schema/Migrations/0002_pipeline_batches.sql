-- Batches fed through the S3/SQS pipeline: the manifest Ingest publishes, and each file's progress.
ALTER TABLE batches ADD COLUMN expected_files integer;
ALTER TABLE batches ADD COLUMN star_claimed_at timestamptz;
-- The W3C traceparent of the scan that opened the batch: its star load joins that trace, whoever runs it.
ALTER TABLE batches ADD COLUMN trace_parent text;
ALTER TABLE batches DROP CONSTRAINT batches_status_check;
ALTER TABLE batches ADD CONSTRAINT batches_status_check
    CHECK (status IN ('open', 'loading_star', 'completed', 'completed_with_failures', 'failed'));

CREATE TABLE batch_files (
    batch_id       bigint      NOT NULL REFERENCES batches (batch_id),
    file_key       text        NOT NULL,
    etag           text        NOT NULL,
    size_bytes     bigint      NOT NULL,
    state          text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'staged', 'failed')),
    published_at   timestamptz,
    failure_reason text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, file_key, etag)
);
-- What Ingest must not queue again while it is in flight.
CREATE INDEX batch_files_in_flight ON batch_files (file_key, etag) WHERE state = 'queued';
