-- How often a file's message was put back on the queue after it was dead-lettered or expired without the file being
-- settled (a worker died on the message's last receive, say): bounded, so that a file that kills its worker cannot
-- loop forever.
ALTER TABLE batch_files ADD COLUMN requeues integer NOT NULL DEFAULT 0;

-- A star load that fails for a reason other than an outage is retried a few times, then the batch fails with it.
ALTER TABLE batches ADD COLUMN star_load_attempts integer NOT NULL DEFAULT 0;
