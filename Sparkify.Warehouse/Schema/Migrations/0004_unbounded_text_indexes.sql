-- A btree index entry holds at most ~2.7 KB, so one long title or artist name (legal JSON) failed every file staged
-- with it. Matching needs only equality: hash indexes hold a 4-byte hash whatever the text's length.
-- Serves StarSql.ClosestSong (a play's song by title, then artist name).
DROP INDEX staging_songs_title_artist;
CREATE INDEX staging_songs_title ON staging_songs USING hash (title);
-- Serves StarSql.RematchSongplays (earlier plays naming a newly loaded song's title).
DROP INDEX staging_events_play_song;
CREATE INDEX staging_events_play_song ON staging_events USING hash (song) WHERE page = 'NextSong';
