namespace Sparkify.Warehouse.Star;

/// <summary>
/// The star load's statements. Every dimension row a pending (or retired) file touches is recomputed from all of
/// staging with a deterministic choice (never "whichever arrived last"), and written only when it differs. A play is
/// one per (user, session, item in session); of several different events with that key the greatest by
/// <see cref="PlayOrder"/> wins, whatever the order they were loaded in.
/// </summary>
internal static class StarSql
{
    public const string CollectFiles =
        """
        CREATE TEMP TABLE pending_files ON COMMIT DROP AS
        SELECT file_id FROM load_files WHERE status = 'loaded' AND star_batch_id IS NULL;
        CREATE TEMP TABLE retired_files ON COMMIT DROP AS
        SELECT file_id FROM load_files WHERE status = 'superseded' AND star_removed_batch_id IS NULL;
        CREATE TEMP TABLE touched_times (start_time timestamptz NOT NULL) ON COMMIT DROP;
        CREATE TEMP TABLE orphan_time_candidates (start_time timestamptz NOT NULL) ON COMMIT DROP;
        ANALYZE pending_files, retired_files
        """;

    /// <summary>
    /// Whether to analyse staging_events and staging_songs: only a table the pending files grow by a tenth or more, or
    /// one without statistics yet. ANALYZE samples 30,000 rows spread over the whole table, so on a big staging table
    /// it costs about the same for every batch, however small; a small batch's rows do not change the plans (they are
    /// reached through pending_files and the file_id indexes either way).
    /// </summary>
    public const string StagingToAnalyze =
        """
        SELECT coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'event'), 0) > 0
                   AND (e.reltuples < 0 OR coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'event'), 0) * 10 >= e.reltuples),
               coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'song'), 0) > 0
                   AND (s.reltuples < 0 OR coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'song'), 0) * 10 >= s.reltuples)
        FROM (SELECT reltuples FROM pg_class WHERE oid = 'staging_events'::regclass) e,
             (SELECT reltuples FROM pg_class WHERE oid = 'staging_songs'::regclass) s,
             pending_files p JOIN load_files f USING (file_id)
        GROUP BY e.reltuples, s.reltuples
        """;

    public const string MarkFilesConsumed =
        """
        UPDATE load_files SET star_batch_id = $1 WHERE file_id IN (SELECT file_id FROM pending_files)
        """;

    public const string MarkFilesRetired =
        """
        UPDATE load_files SET star_removed_batch_id = $1 WHERE file_id IN (SELECT file_id FROM retired_files)
        """;

    /// <summary>
    /// A superseded version's rows leave the star schema: its plays are deleted (their keys recomputed from what
    /// staging still holds), and the songs, artists and users it touched are remembered for recomputation, before its
    /// staging rows go.
    /// </summary>
    public const string RetireFiles =
        """
        CREATE TEMP TABLE removed_plays ON COMMIT DROP AS
        WITH removed AS (
            DELETE FROM songplays WHERE file_id IN (SELECT file_id FROM retired_files)
            RETURNING user_id, session_id, item_in_session, start_time)
        SELECT * FROM removed;
        INSERT INTO orphan_time_candidates SELECT start_time FROM removed_plays;
        CREATE TEMP TABLE retired_songs ON COMMIT DROP AS
        SELECT DISTINCT s.song_id, s.artist_id, s.title, s.artist_name FROM staging_songs s JOIN retired_files USING (file_id);
        CREATE TEMP TABLE retired_users ON COMMIT DROP AS
        SELECT DISTINCT e.user_id FROM staging_events e JOIN retired_files USING (file_id) WHERE e.user_id IS NOT NULL;
        DELETE FROM staging_events WHERE file_id IN (SELECT file_id FROM retired_files);
        DELETE FROM staging_songs WHERE file_id IN (SELECT file_id FROM retired_files)
        """;

    /// <summary>Without retired files the same names exist, empty, so the statements below need no variants.</summary>
    public const string NothingRetired =
        """
        CREATE TEMP TABLE removed_plays (user_id bigint, session_id integer, item_in_session integer, start_time timestamptz) ON COMMIT DROP;
        CREATE TEMP TABLE retired_songs (song_id text, artist_id text, title text, artist_name text) ON COMMIT DROP;
        CREATE TEMP TABLE retired_users (user_id bigint) ON COMMIT DROP
        """;

    /// <summary>An artist seen with several names or places keeps the most complete row, ties broken by value.</summary>
    public const string UpsertArtists =
        """
        INSERT INTO artists AS a (artist_id, name, location, latitude, longitude)
        SELECT DISTINCT ON (s.artist_id)
               s.artist_id, s.artist_name, NULLIF(s.artist_location, ''), s.artist_latitude, s.artist_longitude
        FROM staging_songs s
        WHERE s.artist_id IN (SELECT p.artist_id FROM staging_songs p JOIN pending_files USING (file_id)
                              UNION SELECT artist_id FROM retired_songs)
        ORDER BY s.artist_id,
                 (s.artist_latitude IS NULL OR s.artist_longitude IS NULL),
                 (NULLIF(s.artist_location, '') IS NULL),
                 s.artist_name, s.artist_location, s.artist_latitude, s.artist_longitude
        ON CONFLICT (artist_id) DO UPDATE
        SET name = excluded.name, location = excluded.location, latitude = excluded.latitude, longitude = excluded.longitude
        WHERE (a.name, a.location, a.latitude, a.longitude)
              IS DISTINCT FROM (excluded.name, excluded.location, excluded.latitude, excluded.longitude)
        """;

    public const string UpsertSongs =
        """
        INSERT INTO songs AS t (song_id, title, artist_id, year, duration)
        SELECT DISTINCT ON (s.song_id) s.song_id, s.title, s.artist_id, s.year, s.duration
        FROM staging_songs s
        WHERE s.song_id IN (SELECT p.song_id FROM staging_songs p JOIN pending_files USING (file_id)
                            UNION SELECT song_id FROM retired_songs)
        ORDER BY s.song_id, s.title, s.artist_id, s.year DESC, s.duration
        ON CONFLICT (song_id) DO UPDATE
        SET title = excluded.title, artist_id = excluded.artist_id, year = excluded.year, duration = excluded.duration
        WHERE (t.title, t.artist_id, t.year, t.duration)
              IS DISTINCT FROM (excluded.title, excluded.artist_id, excluded.year, excluded.duration)
        """;

    /// <summary>Songs, artists and users that only retired files had leave the dimensions.</summary>
    public const string DeleteRetiredDimensions =
        """
        DELETE FROM songs t USING retired_songs r
        WHERE t.song_id = r.song_id AND NOT EXISTS (SELECT 1 FROM staging_songs s WHERE s.song_id = t.song_id);
        DELETE FROM artists a USING retired_songs r
        WHERE a.artist_id = r.artist_id AND NOT EXISTS (SELECT 1 FROM staging_songs s WHERE s.artist_id = a.artist_id);
        DELETE FROM users u USING retired_users r
        WHERE u.user_id = r.user_id AND NOT EXISTS (SELECT 1 FROM staging_events e WHERE e.user_id = u.user_id)
        """;

    /// <summary>
    /// A user's row comes from their latest event (by ts) in all of staging, so older events loaded later never win.
    /// One index probe per touched user (staging_events_user_latest).
    /// </summary>
    public const string UpsertUsers =
        """
        INSERT INTO users AS u (user_id, first_name, last_name, gender, level)
        SELECT t.user_id, l.first_name, l.last_name, l.gender, l.level
        FROM (SELECT DISTINCT p.user_id FROM staging_events p JOIN pending_files USING (file_id) WHERE p.user_id IS NOT NULL
              UNION SELECT user_id FROM retired_users) t
        CROSS JOIN LATERAL (
            SELECT e.first_name, e.last_name, e.gender, e.level
            FROM staging_events e
            WHERE e.user_id = t.user_id
            ORDER BY e.ts DESC, e.level, e.first_name, e.last_name, e.gender
            LIMIT 1
        ) l
        ON CONFLICT (user_id) DO UPDATE
        SET first_name = excluded.first_name, last_name = excluded.last_name, gender = excluded.gender, level = excluded.level
        WHERE (u.first_name, u.last_name, u.gender, u.level)
              IS DISTINCT FROM (excluded.first_name, excluded.last_name, excluded.gender, excluded.level)
        """;

    /// <summary>
    /// The matching rule: the song with the play's title and artist name whose duration is closest to the play's length
    /// (ties broken by id). The arguments are the play's columns.
    /// </summary>
    private static string ClosestSong(string song, string artist, string length) =>
        $"""
        SELECT s.song_id, s.artist_id
        FROM staging_songs s
        WHERE s.title = {song} AND s.artist_name = {artist}
        ORDER BY abs(s.duration - {length}) NULLS LAST, s.song_id, s.artist_id
        LIMIT 1
        """;

    /// <summary>
    /// Earlier plays naming a song of a pending or retired song file are matched again (so a play loaded before its
    /// song gets matched, a closer duration wins, and a play whose song went is unmatched). Runs before the new plays
    /// are written, so it only touches plays of earlier batches.
    /// </summary>
    public static readonly string RematchSongplays =
        $$"""
        WITH titles AS (
            SELECT DISTINCT p.title, p.artist_name FROM staging_songs p JOIN pending_files USING (file_id)
            UNION SELECT title, artist_name FROM retired_songs
        ),
        matched AS (
            SELECT sp.songplay_id, m.song_id, m.artist_id
            FROM songplays sp JOIN titles n ON sp.song_title = n.title AND sp.artist_name = n.artist_name
            LEFT JOIN LATERAL ({{ClosestSong("sp.song_title", "sp.artist_name", "sp.song_length")}}) m ON true
        )
        UPDATE songplays sp SET song_id = matched.song_id, artist_id = matched.artist_id
        FROM matched
        WHERE sp.songplay_id = matched.songplay_id AND (sp.song_id, sp.artist_id) IS DISTINCT FROM (matched.song_id, matched.artist_id)
        """;

    /// <summary>
    /// The total order that decides between different events with one play key: the later event, then by content.
    /// NULL is ordered apart from every value (never tied with an empty string), so the winner never depends on plan or
    /// load order. <paramref name="prefix"/> prefixes songplays' column names (events are mapped onto them).
    /// </summary>
    private static string PlayOrder(string prefix) =>
        $"""
        ({prefix}start_time, {prefix}level IS NOT NULL, coalesce({prefix}level, ''), {prefix}song_title IS NOT NULL, coalesce({prefix}song_title, ''),
         {prefix}artist_name IS NOT NULL, coalesce({prefix}artist_name, ''), {prefix}song_length IS NOT NULL, coalesce({prefix}song_length, 0),
         {prefix}location IS NOT NULL, coalesce({prefix}location, ''), {prefix}user_agent IS NOT NULL, coalesce({prefix}user_agent, ''))
        """;

    /// <summary>
    /// One play per key from the NextSong events of the pending files, and of the keys whose play a retired file took
    /// away — the greatest by <see cref="PlayOrder"/> — with the play already there for its key, if any.
    /// </summary>
    public static readonly string CollectChosenPlays =
        $$"""
        CREATE TEMP TABLE chosen_plays ON COMMIT DROP AS
        SELECT c.*, sp.songplay_id AS existing_id,
               sp.start_time AS old_start_time, sp.level AS old_level, sp.song_title AS old_song_title, sp.artist_name AS old_artist_name,
               sp.song_length AS old_song_length, sp.location AS old_location, sp.user_agent AS old_user_agent
        FROM (
            SELECT DISTINCT ON (c.user_id, c.session_id, c.item_in_session) c.*
            FROM (SELECT e.ts AS start_time, e.user_id, e.level, e.session_id, e.location, e.user_agent, e.item_in_session,
                         e.song AS song_title, e.artist AS artist_name, e.length AS song_length, e.file_id
                  FROM (SELECT e.* FROM staging_events e JOIN pending_files USING (file_id)
                        UNION ALL
                        SELECT e.* FROM staging_events e
                        JOIN removed_plays r ON e.user_id = r.user_id AND e.session_id = r.session_id AND e.item_in_session = r.item_in_session) e
                  WHERE e.page = 'NextSong') c
            ORDER BY c.user_id, c.session_id, c.item_in_session, {{PlayOrder("c.")}} DESC
        ) c
        LEFT JOIN songplays sp ON sp.user_id = c.user_id AND sp.session_id = c.session_id AND sp.item_in_session = c.item_in_session;
        ANALYZE chosen_plays
        """;

    /// <summary>Chosen plays that disagree with the play an earlier event made for their key, recorded on the batch.</summary>
    public static readonly string CountConflictingPlays =
        $"""
        UPDATE batches SET conflicting_plays = (
            SELECT count(*) FROM chosen_plays c WHERE c.existing_id IS NOT NULL AND {PlayOrder("c.")} IS DISTINCT FROM {PlayOrder("c.old_")})
        WHERE batch_id = $1
        """;

    /// <summary>
    /// A key that has a play from another event keeps the greater of the two (so the result does not depend on load
    /// order); a replaced play's old start time may orphan a <c>time</c> row.
    /// </summary>
    public static readonly string ReplaceGreaterPlays =
        $$"""
        WITH replaced AS (
            UPDATE songplays sp
            SET start_time = c.start_time, level = c.level, location = c.location, user_agent = c.user_agent,
                song_title = c.song_title, artist_name = c.artist_name, song_length = c.song_length, file_id = c.file_id,
                song_id = m.song_id, artist_id = m.artist_id
            FROM chosen_plays c
            LEFT JOIN LATERAL ({{ClosestSong("c.song_title", "c.artist_name", "c.song_length")}}) m ON true
            WHERE sp.songplay_id = c.existing_id AND {{PlayOrder("c.")}} > {{PlayOrder("c.old_")}}
            RETURNING c.old_start_time, sp.start_time AS new_start_time),
        times AS (INSERT INTO touched_times SELECT new_start_time FROM replaced)
        INSERT INTO orphan_time_candidates SELECT old_start_time FROM replaced WHERE old_start_time <> new_start_time
        """;

    /// <summary>Chosen plays whose key has no play yet, matched to their song.</summary>
    public static readonly string InsertNewPlays =
        $$"""
        WITH inserted AS (
            INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, item_in_session,
                                   song_title, artist_name, song_length, file_id)
            SELECT c.start_time, c.user_id, c.level, m.song_id, m.artist_id, c.session_id, c.location, c.user_agent, c.item_in_session,
                   c.song_title, c.artist_name, c.song_length, c.file_id
            FROM chosen_plays c
            LEFT JOIN LATERAL ({{ClosestSong("c.song_title", "c.artist_name", "c.song_length")}}) m ON true
            WHERE c.existing_id IS NULL
            RETURNING start_time)
        INSERT INTO touched_times SELECT start_time FROM inserted
        """;

    /// <summary>
    /// <c>time</c> holds exactly the start times of existing plays: rows for the times the batch's plays brought, and
    /// none left for a time no play has any more. Parts in UTC, ISO week, Monday = 0 (as <see cref="TimeParts"/>).
    /// </summary>
    public const string SyncTime =
        """
        INSERT INTO time (start_time, hour, day, week, month, year, weekday)
        SELECT t.start_time,
               extract(hour FROM t.start_time AT TIME ZONE 'UTC')::int, extract(day FROM t.start_time AT TIME ZONE 'UTC')::int,
               extract(week FROM t.start_time AT TIME ZONE 'UTC')::int, extract(month FROM t.start_time AT TIME ZONE 'UTC')::int,
               extract(year FROM t.start_time AT TIME ZONE 'UTC')::int, extract(isodow FROM t.start_time AT TIME ZONE 'UTC')::int - 1
        FROM (SELECT DISTINCT start_time FROM touched_times) t
        WHERE NOT EXISTS (SELECT 1 FROM time x WHERE x.start_time = t.start_time);
        DELETE FROM time x USING (SELECT DISTINCT start_time FROM orphan_time_candidates) o
        WHERE x.start_time = o.start_time AND NOT EXISTS (SELECT 1 FROM songplays sp WHERE sp.start_time = x.start_time)
        """;
}
