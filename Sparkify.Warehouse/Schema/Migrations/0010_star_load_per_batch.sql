-- The star load's unit is the batch: a batch's star load takes in exactly the files the batch staged, and its status,
-- retries, checks and counts are about those files only.

-- Which star load took each staged file's rows into the star schema, and which took them out again. A table of its own
-- (not columns of load_files) so that a star load never writes a row that staging locks: staging a new version of a
-- key while a star load runs never waits for it. batch_id NULL: a superseded version whose rows never reached the star
-- schema (its staging rows were removed by retired_by_batch_id). No foreign keys: the star load writes a row per file
-- of ids it has just read from load_files and batches, and a key check per row cost a fifth of a 10,000-file batch's
-- bookkeeping.
CREATE TABLE star_files (
    file_id             bigint PRIMARY KEY,
    batch_id            bigint,
    retired_by_batch_id bigint,
    CHECK (batch_id IS NOT NULL OR retired_by_batch_id IS NOT NULL)
);
INSERT INTO star_files (file_id, batch_id, retired_by_batch_id)
SELECT file_id, star_batch_id, star_removed_batch_id FROM load_files WHERE star_batch_id IS NOT NULL OR star_removed_batch_id IS NOT NULL;
CREATE INDEX star_files_batch ON star_files (batch_id);

DROP INDEX load_files_pending_star;
DROP INDEX load_files_pending_removal;
DROP INDEX load_files_star_batch;
ALTER TABLE load_files DROP COLUMN star_batch_id, DROP COLUMN star_removed_batch_id;
-- A batch's star load finds the superseded versions of the keys it loads (to take their rows out) by key.
CREATE INDEX load_files_superseded_key ON load_files (file_key) WHERE status = 'superseded';

-- The staging rows a star load may read: those of files whose rows are in the star schema. Rows of a file still waiting
-- for its batch's star load (or of a batch whose star load failed) never shape a dimension row or a match.
CREATE VIEW star_staging_events AS
SELECT e.* FROM staging_events e JOIN star_files f USING (file_id) WHERE f.batch_id IS NOT NULL AND f.retired_by_batch_id IS NULL;
CREATE VIEW star_staging_songs AS
SELECT s.* FROM staging_songs s JOIN star_files f USING (file_id) WHERE f.batch_id IS NOT NULL AND f.retired_by_batch_id IS NULL;

-- The event each users row comes from (its latest, by the rule in StarSql): a batch then compares its own users' latest
-- events with this instead of searching all of staging, so staging_events needs no per-user index (it cost a third of
-- every event COPY).
CREATE TABLE users_latest (
    user_id   bigint      PRIMARY KEY,
    latest_ts timestamptz NOT NULL
);
INSERT INTO users_latest (user_id, latest_ts)
SELECT e.user_id, max(e.ts) FROM star_staging_events e JOIN users u USING (user_id) GROUP BY e.user_id;
DROP INDEX staging_events_user_latest;

-- Plays by the file they came from: a superseded file's plays are found without scanning them all. A file's plays are
-- written together, so a block-range index finds them at a fraction of a btree's cost per insert.
CREATE INDEX songplays_file ON songplays USING brin (file_id) WITH (autosummarize = on);

-- Star-load claims name their owner; a failed attempt is retried no sooner than star_retry_at.
ALTER TABLE batches ADD COLUMN star_owner uuid;
ALTER TABLE batches ADD COLUMN star_retry_at timestamptz;

-- ANALYZE samples 300 x the statistics target rows; the star load's plans need row counts and the common pages, not
-- fine histograms, and the default sample read most of a 300k-row staging table on every big batch.
ALTER TABLE staging_events
    ALTER COLUMN file_id SET STATISTICS 10, ALTER COLUMN line_number SET STATISTICS 10, ALTER COLUMN artist SET STATISTICS 10,
    ALTER COLUMN auth SET STATISTICS 10, ALTER COLUMN first_name SET STATISTICS 10, ALTER COLUMN gender SET STATISTICS 10,
    ALTER COLUMN item_in_session SET STATISTICS 10, ALTER COLUMN last_name SET STATISTICS 10, ALTER COLUMN length SET STATISTICS 10,
    ALTER COLUMN level SET STATISTICS 10, ALTER COLUMN location SET STATISTICS 10, ALTER COLUMN method SET STATISTICS 10,
    ALTER COLUMN page SET STATISTICS 10, ALTER COLUMN registration SET STATISTICS 10, ALTER COLUMN session_id SET STATISTICS 10,
    ALTER COLUMN song SET STATISTICS 10, ALTER COLUMN status SET STATISTICS 10, ALTER COLUMN ts SET STATISTICS 10,
    ALTER COLUMN user_agent SET STATISTICS 10, ALTER COLUMN user_id SET STATISTICS 10;

-- What the star load may do beyond reading and writing rows, as the tables' owner, so that the workers' role
-- (WorkerRole) needs no DDL rights: analyse staging (PostgreSQL 15/16 skip a non-owner's ANALYZE with a warning), and
-- the bulk path of a batch that dwarfs the star schema — its secondary indexes dropped for the insert and built again
-- after, in the same transaction (a sorted index build costs a fraction of maintaining the index row by row). SECURITY
-- DEFINER with the search_path pinned to this schema (then pg_temp); executable only by the roles granted it.
-- The index definitions are those of the migrations above (0001, 0006, this one); a test compares the indexes after a
-- bulk load with those of a fresh schema.
DO $migration$
BEGIN
    EXECUTE format($function$
        CREATE FUNCTION %1$I.analyze_staging(events boolean, songs boolean) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = %1$I, pg_temp AS $body$
        BEGIN
            IF events THEN
                ANALYZE staging_events;
            END IF;
            IF songs THEN
                ANALYZE staging_songs;
            END IF;
        END
        $body$
        $function$, current_schema());
    EXECUTE format($function$
        CREATE FUNCTION %1$I.star_bulk_begin() RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = %1$I, pg_temp AS $body$
        BEGIN
            ALTER TABLE songplays DROP CONSTRAINT songplays_natural_key;
            DROP INDEX songplays_start_time, songplays_song_title, songplays_file;
            ALTER TABLE time DROP CONSTRAINT time_pkey;
        END
        $body$
        $function$, current_schema());
    EXECUTE format($function$
        CREATE FUNCTION %1$I.star_bulk_end() RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = %1$I, pg_temp AS $body$
        BEGIN
            ALTER TABLE time ADD CONSTRAINT time_pkey PRIMARY KEY (start_time);
            ALTER TABLE songplays ADD CONSTRAINT songplays_natural_key UNIQUE (user_id, session_id, item_in_session);
            CREATE INDEX songplays_start_time ON songplays (start_time);
            CREATE INDEX songplays_song_title ON songplays USING hash (song_title);
            CREATE INDEX songplays_file ON songplays USING brin (file_id) WITH (autosummarize = on);
        END
        $body$
        $function$, current_schema());
END
$migration$;
REVOKE ALL ON FUNCTION analyze_staging(boolean, boolean), star_bulk_begin(), star_bulk_end() FROM PUBLIC;

-- What the batch's star load changed per table: {"songplays": [inserted, updated, deleted], ...}.
ALTER TABLE batches ADD COLUMN star_changes jsonb;
