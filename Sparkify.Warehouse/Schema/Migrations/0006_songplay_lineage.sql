-- What each play was, as logged, and where it came from. song_title, artist_name and song_length let a song that
-- arrives later rematch the play without going back to staging, let a conflicting duplicate be compared with the play
-- already loaded, and keep unmatched plays' titles for the catalog report. file_id is the staged file whose event the
-- play is: when a corrected version of that file supersedes it, its plays are recomputed.
ALTER TABLE songplays
    ADD COLUMN song_title  text,
    ADD COLUMN artist_name text,
    ADD COLUMN song_length double precision,
    ADD COLUMN file_id     bigint;

UPDATE songplays sp
SET song_title = e.song, artist_name = e.artist, song_length = e.length, file_id = e.file_id
FROM (SELECT DISTINCT ON (e.user_id, e.session_id, e.item_in_session)
             e.user_id, e.session_id, e.item_in_session, e.song, e.artist, e.length, e.file_id
      FROM staging_events e JOIN load_files f ON f.file_id = e.file_id AND f.status = 'loaded'
      WHERE e.page = 'NextSong'
      ORDER BY e.user_id, e.session_id, e.item_in_session, e.ts DESC, e.file_id) e
WHERE sp.user_id = e.user_id AND sp.session_id = e.session_id AND sp.item_in_session = e.item_in_session;

-- Serves StarSql.RematchSongplays (plays naming a song that arrived or went). Hash: titles have no length limit.
CREATE INDEX songplays_song_title ON songplays USING hash (song_title);
-- Matching now reads the plays, not staging.
DROP INDEX staging_events_play_song;

-- Plays of a batch whose key already had a play from a different event (either may have won): reported by the
-- batch's songplays_conflicting_duplicates check.
ALTER TABLE batches ADD COLUMN conflicting_plays integer NOT NULL DEFAULT 0;

-- A superseded file version's rows are taken out of the star schema by the next star load, which records itself here.
ALTER TABLE load_files ADD COLUMN star_removed_batch_id bigint REFERENCES batches (batch_id);
CREATE INDEX load_files_pending_removal ON load_files (file_id) WHERE status = 'superseded' AND star_removed_batch_id IS NULL;
