-- Batch timings, and indexes for "all files settled?" and "did this version fail before?".
-- Where each batch's time went: busy seconds by phase, added up over every worker (and receiver) that worked on it,
-- so the sum can exceed the batch's wall time when work overlapped.
CREATE TABLE batch_phase_times (
    batch_id bigint           NOT NULL REFERENCES batches (batch_id),
    phase    text             NOT NULL,
    seconds  double precision NOT NULL,
    PRIMARY KEY (batch_id, phase)
);

-- Whether a batch still has files in flight is asked after every group of files: answer it from an index.
CREATE INDEX batch_files_queued_by_batch ON batch_files (batch_id) WHERE state = 'queued';

-- Periodic scans skip file versions that failed for good: find them by key.
CREATE INDEX batch_files_failed ON batch_files (file_key, etag) WHERE state = 'failed';
