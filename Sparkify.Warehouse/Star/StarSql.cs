namespace Sparkify.Warehouse.Star;

/// <summary>
/// The star load's statements. Every dimension row a pending file touches is recomputed from all of staging
/// with a deterministic choice (never "whichever arrived last"), and written only when it differs.
/// </summary>
internal static class StarSql
{
    public const string CollectPendingFiles =
        """
        CREATE TEMP TABLE pending_files ON COMMIT DROP AS
        SELECT file_id FROM load_files WHERE status = 'loaded' AND star_batch_id IS NULL
        """;

    /// <summary>An artist seen with several names or places keeps the most complete row, ties broken by value.</summary>
    public const string UpsertArtists =
        """
        INSERT INTO artists AS a (artist_id, name, location, latitude, longitude)
        SELECT DISTINCT ON (s.artist_id)
               s.artist_id, s.artist_name, NULLIF(s.artist_location, ''), s.artist_latitude, s.artist_longitude
        FROM staging_songs s
        WHERE s.artist_id IN (SELECT p.artist_id FROM staging_songs p JOIN pending_files USING (file_id))
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
        WHERE s.song_id IN (SELECT p.song_id FROM staging_songs p JOIN pending_files USING (file_id))
        ORDER BY s.song_id, s.title, s.artist_id, s.year DESC, s.duration
        ON CONFLICT (song_id) DO UPDATE
        SET title = excluded.title, artist_id = excluded.artist_id, year = excluded.year, duration = excluded.duration
        WHERE (t.title, t.artist_id, t.year, t.duration)
              IS DISTINCT FROM (excluded.title, excluded.artist_id, excluded.year, excluded.duration)
        """;

    /// <summary>
    /// A user's row comes from their latest event (by ts) in all of staging, so older events loaded later never win.
    /// One index probe per touched user (staging_events_user_latest).
    /// </summary>
    public const string UpsertUsers =
        """
        INSERT INTO users AS u (user_id, first_name, last_name, gender, level)
        SELECT t.user_id, l.first_name, l.last_name, l.gender, l.level
        FROM (SELECT DISTINCT p.user_id FROM staging_events p JOIN pending_files USING (file_id) WHERE p.user_id IS NOT NULL) t
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
    /// The matching rule, for a row aliased <c>play</c>: the song with the play's title and artist name whose duration
    /// is closest to the play's length (ties broken by id).
    /// </summary>
    private const string ClosestSong =
        """
        SELECT s.song_id, s.artist_id
        FROM staging_songs s
        WHERE s.title = play.song AND s.artist_name = play.artist
        ORDER BY abs(s.duration - play.length) NULLS LAST, s.song_id, s.artist_id
        LIMIT 1
        """;

    /// <summary>
    /// Earlier plays that name a song of a pending song file are matched again (so a play loaded before its song gets
    /// matched, and a closer duration wins). Runs before <see cref="InsertSongplays"/>, so it only touches plays of
    /// earlier batches.
    /// </summary>
    public const string RematchSongplays =
        $$"""
        WITH new_songs AS (
            SELECT DISTINCT p.title, p.artist_name FROM staging_songs p JOIN pending_files USING (file_id)
        ),
        candidates AS (
            SELECT DISTINCT ON (e.user_id, e.session_id, e.item_in_session)
                   e.user_id, e.session_id, e.item_in_session, e.song, e.artist, e.length
            FROM staging_events e JOIN new_songs n ON e.song = n.title AND e.artist = n.artist_name
            WHERE e.page = 'NextSong'
            ORDER BY e.user_id, e.session_id, e.item_in_session, e.ts, e.song, e.artist, e.length
        )
        UPDATE songplays sp SET song_id = m.song_id, artist_id = m.artist_id
        FROM candidates play
        CROSS JOIN LATERAL ({{ClosestSong}}) m
        WHERE sp.user_id = play.user_id AND sp.session_id = play.session_id AND sp.item_in_session = play.item_in_session
          AND (sp.song_id, sp.artist_id) IS DISTINCT FROM (m.song_id, m.artist_id)
        """;

    /// <summary>
    /// The plays of pending event files, each matched to the song with equal title and artist name whose duration is
    /// closest to the play's length. The natural key (user, session, item in session) makes re-loading a no-op; of
    /// several events with one key the first is kept (re-delivered copies are identical).
    /// </summary>
    public const string InsertSongplays =
        $$"""
        INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, item_in_session)
        SELECT play.ts, play.user_id, play.level, m.song_id, m.artist_id, play.session_id, play.location, play.user_agent,
               play.item_in_session
        FROM staging_events play
        JOIN pending_files USING (file_id)
        LEFT JOIN LATERAL ({{ClosestSong}}) m ON true
        WHERE play.page = 'NextSong'
        ON CONFLICT ON CONSTRAINT songplays_natural_key DO NOTHING
        """;

    /// <summary>Start times of the pending plays that have no <c>time</c> row yet.</summary>
    public const string MissingStartTimes =
        """
        SELECT DISTINCT e.ts
        FROM staging_events e JOIN pending_files USING (file_id)
        WHERE e.page = 'NextSong' AND NOT EXISTS (SELECT 1 FROM time t WHERE t.start_time = e.ts)
        """;

    public const string MarkFilesConsumed =
        "UPDATE load_files SET star_batch_id = $1 WHERE file_id IN (SELECT file_id FROM pending_files)";
}
