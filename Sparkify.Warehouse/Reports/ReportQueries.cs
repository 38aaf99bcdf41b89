namespace Sparkify.Warehouse.Reports;

/// <summary>
/// The report's questions, as SQL over the star schema. Every query takes the period as <c>$1</c> (inclusive start)
/// and <c>$2</c> (exclusive end), either NULL for unbounded, and reads the plays of that period only, through
/// <c>songplays_start_time</c>. Where a question names a top list, <c>$3</c> is its length. Distinct counts group
/// first and count after, which aggregates by hashing instead of sorting every row.
/// </summary>
internal static class ReportQueries
{
    private const string InPeriod = "sp.start_time >= coalesce($1::timestamptz, '-infinity') AND sp.start_time < coalesce($2::timestamptz, 'infinity')";

    /// <summary>
    /// Once per report, the period's sessions (user, session): their plays and minutes from first to last play. The
    /// totals and question 5 are read from this small table instead of the plays again.
    /// </summary>
    public const string CollectSessions =
        $"""
        CREATE TEMP TABLE period_sessions ON COMMIT DROP AS
        SELECT sp.user_id, sp.session_id, count(*) AS plays, extract(epoch FROM max(sp.start_time) - min(sp.start_time)) / 60.0 AS minutes,
               min(sp.level) AS lowest_level, max(sp.level) AS highest_level
        FROM songplays sp WHERE {InPeriod}
        GROUP BY sp.user_id, sp.session_id
        """;

    /// <summary>Totals: plays, active users (distinct users with a play), sessions.</summary>
    public const string Totals =
        "SELECT coalesce(sum(plays), 0)::bigint, count(DISTINCT user_id), count(*) FROM period_sessions";

    /// <summary>1. Plays per day and active users per day (UTC dates).</summary>
    public const string PlaysPerDay =
        $"""
        SELECT day, sum(plays)::bigint, count(*)
        FROM (SELECT (sp.start_time AT TIME ZONE 'UTC')::date AS day, sp.user_id, count(*) AS plays
              FROM songplays sp WHERE {InPeriod} GROUP BY 1, 2) d
        GROUP BY day ORDER BY day
        """;

    /// <summary>2. Plays by weekday (Monday = 0) and hour of day, from <c>time</c>: the heat map, and its row and column totals.</summary>
    public const string HourByWeekday =
        $"""
        SELECT t.weekday, t.hour, count(*)
        FROM songplays sp JOIN time t ON t.start_time = sp.start_time
        WHERE {InPeriod}
        GROUP BY 1, 2 ORDER BY 1, 2
        """;

    /// <summary>
    /// 3. Top songs by plays (matched plays only), ties by song id; with every row, how many songs were played and
    /// how many plays matched a song at all (7).
    /// </summary>
    public const string TopSongs =
        $"""
        SELECT p.song_id, coalesce(s.title, ''), coalesce(a.name, ''), p.plays, p.songs, p.matched
        FROM (SELECT sp.song_id, min(sp.artist_id) AS artist_id, count(*) AS plays,
                     count(*) OVER () AS songs, sum(count(*)) OVER ()::bigint AS matched
              FROM songplays sp WHERE {InPeriod} AND sp.song_id IS NOT NULL
              GROUP BY sp.song_id ORDER BY plays DESC, sp.song_id LIMIT $3) p
        LEFT JOIN songs s ON s.song_id = p.song_id LEFT JOIN artists a ON a.artist_id = p.artist_id
        ORDER BY p.plays DESC, p.song_id
        """;

    /// <summary>3. Top artists by plays (matched plays only), ties by artist id; with how many artists were played.</summary>
    public const string TopArtists =
        $"""
        SELECT p.artist_id, coalesce(a.name, ''), p.plays, p.artists
        FROM (SELECT sp.artist_id, count(*) AS plays, count(*) OVER () AS artists
              FROM songplays sp WHERE {InPeriod} AND sp.artist_id IS NOT NULL
              GROUP BY sp.artist_id ORDER BY plays DESC, sp.artist_id LIMIT $3) p
        LEFT JOIN artists a ON a.artist_id = p.artist_id
        ORDER BY p.plays DESC, p.artist_id
        """;

    /// <summary>4. Plays and active users by level (free, paid).</summary>
    public const string Levels =
        $"""
        SELECT level, sum(plays)::bigint, count(*)
        FROM (SELECT coalesce(sp.level, 'unknown') AS level, sp.user_id, count(*) AS plays
              FROM songplays sp WHERE {InPeriod} GROUP BY 1, 2) l
        GROUP BY level ORDER BY level
        """;

    /// <summary>
    /// 4. Level switches: a user's level differs from their previous play's (plays ordered by time, then item in
    /// session). Only users with more than one level in the period can switch; their plays are read by the natural key.
    /// </summary>
    public const string LevelSwitches =
        $"""
        SELECT w.user_id, u.first_name, u.last_name, w.previous, w.level, w.start_time
        FROM (SELECT sp.user_id, sp.level, sp.start_time,
                     lag(sp.level) OVER (PARTITION BY sp.user_id ORDER BY sp.start_time, sp.session_id, sp.item_in_session) AS previous
              FROM songplays sp
              WHERE sp.user_id IN (SELECT user_id FROM period_sessions GROUP BY user_id HAVING min(lowest_level) <> max(highest_level))
                AND {InPeriod}) w
        LEFT JOIN users u ON u.user_id = w.user_id
        WHERE w.previous IS DISTINCT FROM w.level AND w.previous IS NOT NULL AND w.level IS NOT NULL
        ORDER BY w.start_time, w.user_id
        """;

    /// <summary>5. Sessions: how many, plays per session and minutes from first to last play (median and 90th percentile).</summary>
    public const string Sessions =
        """
        SELECT count(*),
               coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY plays), 0), coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY plays), 0),
               coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes), 0), coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes), 0)
        FROM period_sessions
        """;

    /// <summary>5. Sessions by their number of plays, in fixed buckets (every bucket, in order, empty ones too).</summary>
    public const string SessionSizes =
        """
        SELECT b.label, count(s.plays)
        FROM (VALUES (1, '1', 1, 1), (2, '2-5', 2, 5), (3, '6-10', 6, 10), (4, '11-25', 11, 25), (5, '26-50', 26, 50),
                     (6, '51-100', 51, 100), (7, '101+', 101, 2147483647)) AS b (position, label, low, high)
        LEFT JOIN period_sessions s ON s.plays BETWEEN b.low AND b.high
        GROUP BY b.position, b.label ORDER BY b.position
        """;

    /// <summary>6. Top locations (the metro area as logged), ties by name.</summary>
    public const string TopLocations =
        $"""
        SELECT location, sum(plays)::bigint AS total, count(*)
        FROM (SELECT coalesce(sp.location, 'unknown') AS location, sp.user_id, count(*) AS plays
              FROM songplays sp WHERE {InPeriod} GROUP BY 1, 2) l
        GROUP BY location ORDER BY total DESC, location LIMIT $3
        """;

    /// <summary>6. Plays per user agent; browsers and operating systems are classified from these (<see cref="UserAgentClassifier"/>).</summary>
    public const string UserAgents =
        $"""
        SELECT sp.user_agent, count(*) FROM songplays sp WHERE {InPeriod} GROUP BY 1
        """;

    /// <summary>7. The most played (song, artist) pairs without a song in the catalog, ties by name.</summary>
    public const string TopUnmatched =
        $"""
        SELECT coalesce(sp.song_title, ''), coalesce(sp.artist_name, ''), count(*) AS plays
        FROM songplays sp WHERE {InPeriod} AND sp.song_id IS NULL
        GROUP BY 1, 2 ORDER BY plays DESC, 1, 2 LIMIT $3
        """;

    /// <summary>
    /// When the star schema last changed, in microseconds since the epoch (0: never): the latest completion of a batch
    /// whose star load committed. Star loads commit one at a time and stamp their batch inside, so every commit moves it
    /// on, also when batches finish out of order (the greatest batch id need not change). A report page reloads when it
    /// changes.
    /// </summary>
    public const string StarChangedAt =
        """
        SELECT coalesce((extract(epoch FROM max(completed_at)) * 1000000)::bigint, 0)
        FROM batches WHERE status IN ('completed', 'completed_with_failures')
        """;
}
