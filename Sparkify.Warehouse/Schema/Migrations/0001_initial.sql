-- Load bookkeeping, in the spirit of Redshift's STL_LOAD_COMMITS / STL_LOAD_ERRORS.
CREATE TABLE batches (
    batch_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source          text        NOT NULL,
    status          text        NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'completed', 'completed_with_failures', 'failed')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    files_loaded    integer     NOT NULL DEFAULT 0,
    files_skipped   integer     NOT NULL DEFAULT 0,
    files_failed    integer     NOT NULL DEFAULT 0,
    rows_loaded     bigint      NOT NULL DEFAULT 0,
    rows_rejected   bigint      NOT NULL DEFAULT 0,
    error           text
);

CREATE SEQUENCE load_file_id_seq AS bigint;

CREATE TABLE load_files (
    file_id         bigint      PRIMARY KEY DEFAULT nextval('load_file_id_seq'),
    batch_id        bigint      NOT NULL REFERENCES batches (batch_id),
    file_key        text        NOT NULL,
    etag            text        NOT NULL,
    size_bytes      bigint      NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('song', 'event')),
    status          text        NOT NULL CHECK (status IN ('loaded', 'failed', 'superseded')),
    rows_loaded     bigint      NOT NULL,
    rows_rejected   bigint      NOT NULL,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    star_batch_id   bigint      REFERENCES batches (batch_id),
    failure_reason  text
);
ALTER SEQUENCE load_file_id_seq OWNED BY load_files.file_id;

-- A (key, etag) pair is loaded at most once: the guard behind "loading a loaded file is a no-op".
CREATE UNIQUE INDEX load_files_loaded_once ON load_files (file_key, etag) WHERE status = 'loaded';
CREATE INDEX load_files_pending_star ON load_files (file_id) WHERE status = 'loaded' AND star_batch_id IS NULL;
CREATE INDEX load_files_batch ON load_files (batch_id);

CREATE TABLE load_errors (
    error_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id        bigint      NOT NULL REFERENCES batches (batch_id),
    file_key        text        NOT NULL,
    etag            text        NOT NULL,
    line_number     bigint      NOT NULL,
    column_name     text,
    reason          text        NOT NULL,
    raw_text        text        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX load_errors_file ON load_errors (file_key, etag);
CREATE INDEX load_errors_batch ON load_errors (batch_id);

CREATE TABLE quality_check_results (
    batch_id        bigint      REFERENCES batches (batch_id),
    check_name      text        NOT NULL,
    passed          boolean     NOT NULL,
    failing_rows    bigint      NOT NULL,
    checked_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quality_check_results_batch ON quality_check_results (batch_id);

-- Staging: the raw rows, typed, each traceable to its file and line.
CREATE TABLE staging_events (
    file_id         bigint      NOT NULL,
    line_number     integer     NOT NULL,
    artist          text,
    auth            text,
    first_name      text,
    gender          text,
    item_in_session integer,
    last_name       text,
    length          double precision,
    level           text,
    location        text,
    method          text,
    page            text        NOT NULL,
    registration    double precision,
    session_id      integer,
    song            text,
    status          integer,
    ts              timestamptz NOT NULL,
    user_agent      text,
    user_id         bigint
);
CREATE INDEX staging_events_file ON staging_events (file_id);
CREATE INDEX staging_events_user_latest ON staging_events (user_id, ts DESC) WHERE user_id IS NOT NULL;
CREATE INDEX staging_events_play_song ON staging_events (song, artist) WHERE page = 'NextSong';

CREATE TABLE staging_songs (
    file_id          bigint     NOT NULL,
    line_number      integer    NOT NULL,
    num_songs        integer,
    artist_id        text       NOT NULL,
    artist_latitude  double precision,
    artist_longitude double precision,
    artist_location  text,
    artist_name      text,
    song_id          text       NOT NULL,
    title            text,
    duration         double precision,
    year             integer
);
CREATE INDEX staging_songs_file ON staging_songs (file_id);
CREATE INDEX staging_songs_song ON staging_songs (song_id);
CREATE INDEX staging_songs_artist ON staging_songs (artist_id);
CREATE INDEX staging_songs_title_artist ON staging_songs (title, artist_name);

-- Star schema.
CREATE TABLE songplays (
    songplay_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    start_time  timestamptz NOT NULL,
    user_id     bigint      NOT NULL,
    level       text,
    song_id     text,
    artist_id   text,
    session_id  integer     NOT NULL,
    location    text,
    user_agent  text,
    -- Beyond the designed columns: the event's position in its session, which with user and session identifies
    -- the play. This natural key is what makes re-loading the same events a no-op without merging distinct plays.
    item_in_session integer NOT NULL,
    CONSTRAINT songplays_natural_key UNIQUE (user_id, session_id, item_in_session)
);
CREATE INDEX songplays_start_time ON songplays (start_time);
CREATE INDEX songplays_song ON songplays (song_id);

CREATE TABLE users (
    user_id    bigint PRIMARY KEY,
    first_name text,
    last_name  text,
    gender     text,
    level      text
);

CREATE TABLE songs (
    song_id   text PRIMARY KEY,
    title     text,
    artist_id text,
    year      integer,
    duration  double precision
);

CREATE TABLE artists (
    artist_id text PRIMARY KEY,
    name      text,
    location  text,
    latitude  double precision,
    longitude double precision
);

CREATE TABLE time (
    start_time timestamptz PRIMARY KEY,
    hour       integer NOT NULL,
    day        integer NOT NULL,
    week       integer NOT NULL,
    month      integer NOT NULL,
    year       integer NOT NULL,
    weekday    integer NOT NULL
);
