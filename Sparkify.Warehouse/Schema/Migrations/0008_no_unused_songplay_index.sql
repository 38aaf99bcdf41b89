-- No query selects plays by song_id alone (reports group all of a period's plays; matching reads staging_songs), and
-- the index cost 0.4 s of every 256k plays inserted.
DROP INDEX songplays_song;
