namespace Sparkify.Warehouse.Star;

/// <summary>
/// The star load's statements, for one batch ($1): they take in exactly the files that batch staged and take out the
/// superseded versions of the same keys. A dimension row is recomputed from the staging rows whose files are in the star
/// schema (<c>star_staging_songs</c>, <c>star_staging_events</c>) with a deterministic choice, never "whichever arrived
/// last", and written only when it differs; rows of files still waiting for their own batch's star load never shape it.
/// A play is one per (user, session, item in session); of several different events with that key the greatest by
/// <see cref="PlayOrder"/> wins, whatever the order they were loaded in.
/// </summary>
internal static class StarSql
{
    public const string CollectFiles =
        """
        CREATE TEMP TABLE batch_star_files ON COMMIT DROP AS
        SELECT f.file_id, f.kind, f.file_key, f.rows_loaded FROM load_files f
        WHERE f.batch_id = $1 AND f.status = 'loaded' AND NOT EXISTS (SELECT 1 FROM star_files s WHERE s.file_id = f.file_id)
        """;

    /// <summary>
    /// Older versions of the keys the batch loads whose rows are still in the star schema (to take out), or that never
    /// reached it (their staging rows only to remove).
    /// </summary>
    public const string CollectRetiring =
        """
        CREATE TEMP TABLE retiring_files ON COMMIT DROP AS
        SELECT o.file_id, s.file_id IS NOT NULL AS in_star
        FROM load_files o LEFT JOIN star_files s ON s.file_id = o.file_id
        WHERE o.status = 'superseded' AND o.file_key IN (SELECT file_key FROM batch_star_files) AND s.retired_by_batch_id IS NULL
        """;

    public const string TakeIn =
        "INSERT INTO star_files (file_id, batch_id) SELECT file_id, $1 FROM batch_star_files";

    public const string MarkRetired =
        """
        UPDATE star_files SET retired_by_batch_id = $1 WHERE file_id IN (SELECT file_id FROM retiring_files WHERE in_star)
        """;

    public const string MarkNeverInStar =
        """
        INSERT INTO star_files (file_id, retired_by_batch_id) SELECT file_id, $1 FROM retiring_files WHERE NOT in_star
        """;

    /// <summary>
    /// Whether to analyse staging_events and staging_songs: only a table the batch grows by a tenth or more, or one
    /// without statistics yet. ANALYZE samples rows spread over the whole table, so on a big staging table it costs about
    /// the same for every batch, however small; a small batch's rows do not change the plans.
    /// </summary>
    public const string StagingToAnalyze =
        """
        SELECT coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'event'), 0) > 0
                   AND (e.reltuples < 0 OR coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'event'), 0) * 10 >= e.reltuples),
               coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'song'), 0) > 0
                   AND (s.reltuples < 0 OR coalesce(sum(f.rows_loaded) FILTER (WHERE f.kind = 'song'), 0) * 10 >= s.reltuples)
        FROM (SELECT reltuples FROM pg_class WHERE oid = 'staging_events'::regclass) e,
             (SELECT reltuples FROM pg_class WHERE oid = 'staging_songs'::regclass) s,
             batch_star_files f
        GROUP BY e.reltuples, s.reltuples
        """;

    /// <summary>
    /// A superseded version's rows leave the star schema: its plays are deleted (their keys recomputed from what staging
    /// still holds), and the songs, artists and users it touched are remembered for recomputation, before its staging
    /// rows go. The first statement's row count is the plays deleted.
    /// </summary>
    public static readonly string[] RetireFiles =
    [
        """
        CREATE TEMP TABLE removed_plays ON COMMIT DROP AS
        WITH removed AS (
            DELETE FROM songplays WHERE file_id IN (SELECT file_id FROM retiring_files WHERE in_star)
            RETURNING user_id, session_id, item_in_session, start_time)
        SELECT * FROM removed
        """,
        "INSERT INTO orphan_time_candidates SELECT start_time FROM removed_plays",
        """
        CREATE TEMP TABLE retired_songs ON COMMIT DROP AS
        SELECT DISTINCT s.song_id, s.artist_id, s.title, s.artist_name FROM staging_songs s JOIN retiring_files r USING (file_id) WHERE r.in_star
        """,
        """
        CREATE TEMP TABLE retired_users ON COMMIT DROP AS
        SELECT DISTINCT e.user_id FROM staging_events e JOIN retiring_files r USING (file_id) WHERE r.in_star AND e.user_id IS NOT NULL
        """,
        "DELETE FROM staging_events WHERE file_id IN (SELECT file_id FROM retiring_files)",
        "DELETE FROM staging_songs WHERE file_id IN (SELECT file_id FROM retiring_files)",
        "ANALYZE removed_plays, retired_songs, retired_users",
    ];

    /// <summary>Without retired files the same names exist, empty, so the statements below need no variants.</summary>
    public static readonly string[] NothingRetired =
    [
        "CREATE TEMP TABLE removed_plays (user_id bigint, session_id integer, item_in_session integer, start_time timestamptz) ON COMMIT DROP",
        "CREATE TEMP TABLE retired_songs (song_id text, artist_id text, title text, artist_name text) ON COMMIT DROP",
        "CREATE TEMP TABLE retired_users (user_id bigint) ON COMMIT DROP",
    ];

    public const string CreateTimeCandidates =
        "CREATE TEMP TABLE orphan_time_candidates (start_time timestamptz NOT NULL) ON COMMIT DROP";

    /// <summary>Inserted and updated rows of an upsert <c>RETURNING xmax = 0 AS inserted</c> named <c>written</c>.</summary>
    private const string CountWritten =
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written";

    /// <summary>An artist seen with several names or places keeps the most complete row, ties broken by value.</summary>
    public const string UpsertArtists =
        $"""
        WITH written AS (
            INSERT INTO artists AS a (artist_id, name, location, latitude, longitude)
            SELECT DISTINCT ON (s.artist_id)
                   s.artist_id, s.artist_name, NULLIF(s.artist_location, ''), s.artist_latitude, s.artist_longitude
            FROM star_staging_songs s
            WHERE s.artist_id IN (SELECT p.artist_id FROM staging_songs p JOIN batch_star_files USING (file_id)
                                  UNION SELECT artist_id FROM retired_songs)
            ORDER BY s.artist_id,
                     (s.artist_latitude IS NULL OR s.artist_longitude IS NULL),
                     (NULLIF(s.artist_location, '') IS NULL),
                     s.artist_name, s.artist_location, s.artist_latitude, s.artist_longitude
            ON CONFLICT (artist_id) DO UPDATE
            SET name = excluded.name, location = excluded.location, latitude = excluded.latitude, longitude = excluded.longitude
            WHERE (a.name, a.location, a.latitude, a.longitude)
                  IS DISTINCT FROM (excluded.name, excluded.location, excluded.latitude, excluded.longitude)
            RETURNING xmax = 0 AS inserted)
        {CountWritten}
        """;

    public const string UpsertSongs =
        $"""
        WITH written AS (
            INSERT INTO songs AS t (song_id, title, artist_id, year, duration)
            SELECT DISTINCT ON (s.song_id) s.song_id, s.title, s.artist_id, s.year, s.duration
            FROM star_staging_songs s
            WHERE s.song_id IN (SELECT p.song_id FROM staging_songs p JOIN batch_star_files USING (file_id)
                                UNION SELECT song_id FROM retired_songs)
            ORDER BY s.song_id, s.title, s.artist_id, s.year DESC, s.duration
            ON CONFLICT (song_id) DO UPDATE
            SET title = excluded.title, artist_id = excluded.artist_id, year = excluded.year, duration = excluded.duration
            WHERE (t.title, t.artist_id, t.year, t.duration)
                  IS DISTINCT FROM (excluded.title, excluded.artist_id, excluded.year, excluded.duration)
            RETURNING xmax = 0 AS inserted)
        {CountWritten}
        """;

    /// <summary>
    /// The rule for a user's row: their latest event (by ts) in staging that is in the star schema, ties broken by value.
    /// A batch only adds events, so the winner is the greater of the row already there (<c>users_latest</c> keeps its
    /// event's time) and the batch's own latest event per user; a user whose events a retired file took away is
    /// recomputed from all that stays.
    /// </summary>
    private const string UserOrder = "ts DESC, level, first_name, last_name, gender";

    public static string CollectUserWinners(bool retiring) =>
        $"""
        CREATE TEMP TABLE user_winners ON COMMIT DROP AS
        WITH batch_events AS NOT MATERIALIZED (
            SELECT e.user_id, e.ts, e.first_name, e.last_name, e.gender, e.level
            FROM staging_events e JOIN batch_star_files USING (file_id) WHERE e.user_id IS NOT NULL),
        latest AS (SELECT user_id, max(ts) AS ts FROM batch_events GROUP BY user_id),
        candidates AS (
            SELECT e.*, false AS current FROM batch_events e JOIN latest l USING (user_id, ts)
            UNION ALL
            SELECT u.user_id, l.latest_ts, u.first_name, u.last_name, u.gender, u.level, true
            FROM users u JOIN users_latest l USING (user_id)
            WHERE u.user_id IN (SELECT user_id FROM latest) AND u.user_id NOT IN (SELECT user_id FROM retired_users)
            {(retiring ? $"""
                UNION ALL
                SELECT * FROM (SELECT DISTINCT ON (e.user_id) e.user_id, e.ts, e.first_name, e.last_name, e.gender, e.level, false
                               FROM star_staging_events e WHERE e.user_id IN (SELECT user_id FROM retired_users)
                               ORDER BY e.user_id, {UserOrder}) r
                """ : "")})
        SELECT DISTINCT ON (user_id) * FROM candidates ORDER BY user_id, {UserOrder}
        """;

    public const string UpsertUsers =
        $"""
        WITH written AS (
            INSERT INTO users AS u (user_id, first_name, last_name, gender, level)
            SELECT user_id, first_name, last_name, gender, level FROM user_winners WHERE NOT current
            ON CONFLICT (user_id) DO UPDATE
            SET first_name = excluded.first_name, last_name = excluded.last_name, gender = excluded.gender, level = excluded.level
            WHERE (u.first_name, u.last_name, u.gender, u.level)
                  IS DISTINCT FROM (excluded.first_name, excluded.last_name, excluded.gender, excluded.level)
            RETURNING xmax = 0 AS inserted),
        latest AS (
            INSERT INTO users_latest AS l (user_id, latest_ts)
            SELECT user_id, ts FROM user_winners WHERE NOT current
            ON CONFLICT (user_id) DO UPDATE SET latest_ts = excluded.latest_ts WHERE l.latest_ts <> excluded.latest_ts)
        {CountWritten}
        """;

    /// <summary>Songs, artists and users that only retired files had leave the dimensions; the row counts are theirs, in order.</summary>
    public const string DeleteRetiredSongs =
        """
        DELETE FROM songs t USING retired_songs r
        WHERE t.song_id = r.song_id AND NOT EXISTS (SELECT 1 FROM star_staging_songs s WHERE s.song_id = t.song_id)
        """;

    public const string DeleteRetiredArtists =
        """
        DELETE FROM artists a USING retired_songs r
        WHERE a.artist_id = r.artist_id AND NOT EXISTS (SELECT 1 FROM star_staging_songs s WHERE s.artist_id = a.artist_id)
        """;

    public const string DeleteRetiredUsers =
        """
        WITH gone AS (
            DELETE FROM users u USING retired_users r
            WHERE u.user_id = r.user_id AND NOT EXISTS (SELECT 1 FROM star_staging_events e WHERE e.user_id = u.user_id)
            RETURNING u.user_id),
        latest AS (DELETE FROM users_latest l USING gone WHERE l.user_id = gone.user_id)
        SELECT count(*) FROM gone
        """;

    /// <summary>
    /// The matching rule: the song (of the files in the star schema) with the play's title and artist name whose
    /// duration is closest to the play's length, ties broken by id. One pass over the plays: a hash join on title and
    /// artist, then the closest per play.
    /// </summary>
    /// <param name="join">JOIN (plays with a match only) or LEFT JOIN (every play, unmatched ones with nulls).</param>
    private static string ClosestSongs(string plays, string key, string join) =>
        $"""
        SELECT DISTINCT ON ({key}) {key}, s.song_id, s.artist_id
        FROM {plays} p {join} star_staging_songs s ON s.title = p.song_title AND s.artist_name = p.artist_name
        ORDER BY {key}, abs(s.duration - p.song_length) NULLS LAST, s.song_id, s.artist_id
        """;

    /// <summary>
    /// Earlier plays naming a song of the batch's song files or of a retired one are matched again (so a play loaded
    /// before its song gets matched, a closer duration wins, and a play whose song went is unmatched). Runs before the
    /// batch's plays are written, so it only touches plays of earlier batches.
    /// </summary>
    public static readonly string RematchSongplays =
        $"""
        WITH titles AS (
            SELECT DISTINCT p.title, p.artist_name FROM staging_songs p JOIN batch_star_files USING (file_id)
            UNION SELECT title, artist_name FROM retired_songs),
        affected AS (
            SELECT sp.songplay_id, sp.song_title, sp.artist_name, sp.song_length
            FROM songplays sp JOIN titles n ON sp.song_title = n.title AND sp.artist_name = n.artist_name),
        matched AS ({ClosestSongs("affected", "p.songplay_id", "LEFT JOIN")})
        UPDATE songplays sp SET song_id = matched.song_id, artist_id = matched.artist_id
        FROM matched
        WHERE sp.songplay_id = matched.songplay_id AND (sp.song_id, sp.artist_id) IS DISTINCT FROM (matched.song_id, matched.artist_id)
        """;

    /// <summary>
    /// The total order that decides between different events with one play key: the later event, then by content.
    /// NULL is ordered apart from every value (never tied with an empty string), so the winner never depends on plan or
    /// load order. <paramref name="prefix"/> prefixes songplays' column names (events are mapped onto them).
    /// </summary>
    internal static string PlayOrder(string prefix) =>
        $"""
        ({prefix}start_time, {prefix}level IS NOT NULL, coalesce({prefix}level, ''), {prefix}song_title IS NOT NULL, coalesce({prefix}song_title, ''),
         {prefix}artist_name IS NOT NULL, coalesce({prefix}artist_name, ''), {prefix}song_length IS NOT NULL, coalesce({prefix}song_length, 0),
         {prefix}location IS NOT NULL, coalesce({prefix}location, ''), {prefix}user_agent IS NOT NULL, coalesce({prefix}user_agent, ''))
        """;

    private const string PlayKey = "user_id, session_id, item_in_session";

    /// <summary>
    /// The NextSong events a play is chosen from: the batch's own, and those of the keys whose play a retired file took
    /// away (from the files that stay in the star schema).
    /// </summary>
    private static string Candidates(bool retiring) =>
        """
        SELECT e.ts AS start_time, e.user_id, e.level, e.session_id, e.location, e.user_agent, e.item_in_session,
               e.song AS song_title, e.artist AS artist_name, e.length AS song_length, e.file_id, true AS in_batch
        FROM staging_events e JOIN batch_star_files USING (file_id) WHERE e.page = 'NextSong'
        """ + (retiring
            ? """

              UNION ALL
              SELECT e.ts, e.user_id, e.level, e.session_id, e.location, e.user_agent, e.item_in_session,
                     e.song, e.artist, e.length, e.file_id, false
              FROM star_staging_events e JOIN removed_plays r USING (user_id, session_id, item_in_session)
              WHERE e.page = 'NextSong' AND e.file_id NOT IN (SELECT file_id FROM batch_star_files)
              """
            : "");

    /// <summary>
    /// Every candidate event, with the play already there for its key, if any. Most keys have one event; the few that
    /// have more are found afterwards by hashing keys (<see cref="CollectRepeatedKeys"/>), much cheaper than sorting
    /// every event to pick one per key.
    /// </summary>
    public static string CollectChosenPlays(bool retiring) =>
        $"""
        CREATE TEMP TABLE chosen_plays ON COMMIT DROP AS
        SELECT c.*, false AS conflicting, sp.songplay_id AS existing_id,
               sp.start_time AS old_start_time, sp.level AS old_level, sp.song_title AS old_song_title, sp.artist_name AS old_artist_name,
               sp.song_length AS old_song_length, sp.location AS old_location, sp.user_agent AS old_user_agent
        FROM ({Candidates(retiring)}) c
        LEFT JOIN songplays sp ON sp.user_id = c.user_id AND sp.session_id = c.session_id AND sp.item_in_session = c.item_in_session
        """;

    /// <summary>Keys with more than one candidate event, and whether the batch's own events of that key disagree.</summary>
    public static readonly string CollectRepeatedKeys =
        $"""
        CREATE TEMP TABLE repeated_keys ON COMMIT DROP AS
        SELECT c.user_id, c.session_id, c.item_in_session,
               count(DISTINCT {PlayOrder("c.")}) FILTER (WHERE c.in_batch) > 1 AS conflicting
        FROM chosen_plays c
        WHERE (c.user_id, c.session_id, c.item_in_session) IN (
            SELECT {PlayKey} FROM chosen_plays GROUP BY {PlayKey} HAVING count(*) > 1)
        GROUP BY c.user_id, c.session_id, c.item_in_session
        """;

    /// <summary>
    /// Of a repeated key's events, the greatest by <see cref="PlayOrder"/> stays (the latest file breaks a tie between
    /// equal events); the rest go, and the key is marked when the batch's events disagree.
    /// </summary>
    public static readonly string[] KeepGreatestOfRepeated =
    [
        $"""
        DELETE FROM chosen_plays c USING (
            SELECT x.ctid AS row_id,
                   row_number() OVER (PARTITION BY x.user_id, x.session_id, x.item_in_session ORDER BY {PlayOrder("x.")} DESC, x.file_id DESC) AS rank
            FROM chosen_plays x JOIN repeated_keys r USING ({PlayKey})) d
        WHERE c.ctid = d.row_id AND d.rank > 1
        """,
        $"""
        UPDATE chosen_plays c SET conflicting = true FROM repeated_keys r
        WHERE r.conflicting AND r.user_id = c.user_id AND r.session_id = c.session_id AND r.item_in_session = c.item_in_session
        """,
    ];

    /// <summary>Chosen plays that disagree with the play an earlier event made for their key, recorded on the batch.</summary>
    public static readonly string CountConflictingPlays =
        $"""
        UPDATE batches SET conflicting_plays = (
            SELECT count(*) FROM chosen_plays c WHERE c.existing_id IS NOT NULL AND {PlayOrder("c.")} IS DISTINCT FROM {PlayOrder("c.old_")})
        WHERE batch_id = $1
        """;

    /// <summary>The chosen plays that will be written: new keys, and keys whose play loses to the chosen event.</summary>
    private static readonly string Written = $"(c.existing_id IS NULL OR {PlayOrder("c.")} > {PlayOrder("c.old_")})";

    public static readonly string CollectPlayMatches =
        $"""
        CREATE TEMP TABLE play_matches ON COMMIT DROP AS
        {ClosestSongs($"(SELECT * FROM chosen_plays c WHERE {Written})", "p.user_id, p.session_id, p.item_in_session", "JOIN")}
        """;

    /// <summary>Plays the batch adds (keys with no play yet), and the rows already in songplays (at most <c>$1</c> of them).</summary>
    public const string CountPlaysToInsert =
        """
        SELECT (SELECT count(*) FROM chosen_plays WHERE existing_id IS NULL),
               (SELECT count(*) FROM (SELECT 1 FROM songplays LIMIT $1) existing)
        """;

    /// <summary>
    /// A key that has a play from another event keeps the greater of the two (so the result does not depend on load
    /// order); a replaced play's old start time may orphan a <c>time</c> row. The row count is the plays replaced.
    /// </summary>
    public static readonly string ReplaceGreaterPlays =
        $"""
        WITH replaced AS (
            UPDATE songplays sp
            SET start_time = c.start_time, level = c.level, location = c.location, user_agent = c.user_agent,
                song_title = c.song_title, artist_name = c.artist_name, song_length = c.song_length, file_id = c.file_id,
                song_id = m.song_id, artist_id = m.artist_id
            FROM chosen_plays c LEFT JOIN play_matches m USING ({PlayKey})
            WHERE sp.songplay_id = c.existing_id AND {PlayOrder("c.")} > {PlayOrder("c.old_")}
            RETURNING c.old_start_time, sp.start_time AS new_start_time),
        orphans AS (INSERT INTO orphan_time_candidates SELECT old_start_time FROM replaced WHERE old_start_time <> new_start_time)
        SELECT count(*) FROM replaced
        """;

    /// <summary>Chosen plays whose key has no play yet, matched to their song, in the order staged (roughly by time).</summary>
    public const string InsertNewPlays =
        $"""
        INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, item_in_session,
                               song_title, artist_name, song_length, file_id)
        SELECT c.start_time, c.user_id, c.level, m.song_id, m.artist_id, c.session_id, c.location, c.user_agent, c.item_in_session,
               c.song_title, c.artist_name, c.song_length, c.file_id
        FROM chosen_plays c LEFT JOIN play_matches m USING ({PlayKey})
        WHERE c.existing_id IS NULL
        """;

    /// <summary>
    /// <c>time</c> holds exactly the start times of existing plays: rows for the times of the plays the batch wrote,
    /// and none left for a time no play has any more. Parts in UTC, ISO week, Monday = 0 (as <see cref="TimeParts"/>).
    /// <paramref name="ordered"/>: in time order, so that the rows append to the key's index (without the index, on
    /// the bulk path, the index build sorts them anyway).
    /// </summary>
    public static string InsertTimes(bool ordered) =>
        $"""
        INSERT INTO time (start_time, hour, day, week, month, year, weekday)
        SELECT t.start_time,
               date_part('hour', t.start_time AT TIME ZONE 'UTC')::int, date_part('day', t.start_time AT TIME ZONE 'UTC')::int,
               date_part('week', t.start_time AT TIME ZONE 'UTC')::int, date_part('month', t.start_time AT TIME ZONE 'UTC')::int,
               date_part('year', t.start_time AT TIME ZONE 'UTC')::int, date_part('isodow', t.start_time AT TIME ZONE 'UTC')::int - 1
        FROM (SELECT DISTINCT c.start_time FROM chosen_plays c WHERE {Written}) t
        WHERE NOT EXISTS (SELECT 1 FROM time x WHERE x.start_time = t.start_time)
        {(ordered ? "ORDER BY t.start_time" : "")}
        """;

    public const string DeleteOrphanTimes =
        """
        DELETE FROM time x USING (SELECT DISTINCT start_time FROM orphan_time_candidates) o
        WHERE x.start_time = o.start_time AND NOT EXISTS (SELECT 1 FROM songplays sp WHERE sp.start_time = x.start_time)
        """;
}
