using System.Data;
using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Sparkify.Warehouse.Reports;

/// <summary>
/// Answers <see cref="ReportQueries"/> over one consistent snapshot of the warehouse and shapes them into a
/// <see cref="WarehouseReport"/>. An empty warehouse (or one without tables yet) gives an empty report, not an error.
/// </summary>
public sealed class WarehouseReporter(NpgsqlDataSource dataSource)
{
    private static readonly string[] WeekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>The buckets of <see cref="ReportQueries.SessionSizes"/>: a warehouse without tables yet lists them empty too.</summary>
    private static readonly string[] SessionSizeLabels = ["1", "2-5", "6-10", "11-25", "26-50", "51-100", "101+"];

    /// <summary>How long each query of the last report took, in the order they ran.</summary>
    public IReadOnlyList<(string Query, TimeSpan Elapsed)> LastTimings { get; private set; } = [];

    public async Task<WarehouseReport> BuildAsync(ReportPeriod period, int top = 10, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        // One snapshot for every question; the data source's command timeout bounds each of them.
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, IsolationLevel.RepeatableRead, commandTimeoutSeconds: null);
        if (!await HasStarSchemaAsync(session))
        {
            LastTimings = [];
            return Empty(period);
        }
        var run = new Run(session);
        // A parameter belongs to one command: each query gets its own.
        object?[] InPeriod() => [Timestamp(period.StartUtc), Timestamp(period.EndUtc)];
        object?[] TopInPeriod() => [.. InPeriod(), top];
        // The aggregations of a period's plays fit in memory; with the default work_mem they would spill to disk. Each
        // query scans the period's plays once: let the planner share that scan among workers even for a few 100k rows.
        await session.ExecuteAsync("SET LOCAL work_mem = '64MB'");
        await session.ExecuteAsync("SET LOCAL parallel_setup_cost = 10");
        await session.ExecuteAsync("SET LOCAL parallel_tuple_cost = 0.001");
        await run.ExecuteAsync(nameof(ReportQueries.CollectSessions), ReportQueries.CollectSessions, InPeriod());

        var (plays, users, sessionCount) = (await run.RowsAsync(nameof(ReportQueries.Totals), ReportQueries.Totals, [],
            r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))))[0];
        var perDay = await run.RowsAsync(nameof(ReportQueries.PlaysPerDay), ReportQueries.PlaysPerDay, InPeriod(),
            r => new DayActivity(DateOnly.FromDateTime(r.GetDateTime(0)), r.GetInt64(1), r.GetInt64(2)));
        var heat = await run.RowsAsync(nameof(ReportQueries.HourByWeekday), ReportQueries.HourByWeekday, InPeriod(),
            r => new HourOfWeekday(r.GetInt32(0), r.GetInt32(1), r.GetInt64(2)));
        var songRows = await run.RowsAsync(nameof(ReportQueries.TopSongs), ReportQueries.TopSongs, TopInPeriod(),
            r => (Song: new TopSong(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), Songs: r.GetInt64(4), Matched: r.GetInt64(5)));
        var artistRows = await run.RowsAsync(nameof(ReportQueries.TopArtists), ReportQueries.TopArtists, TopInPeriod(),
            r => (Artist: new TopArtist(r.GetString(0), r.GetString(1), r.GetInt64(2)), Artists: r.GetInt64(3)));
        var levels = await run.RowsAsync(nameof(ReportQueries.Levels), ReportQueries.Levels, InPeriod(),
            r => (Level: r.GetString(0), Plays: r.GetInt64(1), Users: r.GetInt64(2)));
        var switches = await run.RowsAsync(nameof(ReportQueries.LevelSwitches), ReportQueries.LevelSwitches, InPeriod(),
            r => new LevelSwitch(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.GetString(3), r.GetString(4), new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero)));
        var sessions = (await run.RowsAsync(nameof(ReportQueries.Sessions), ReportQueries.Sessions, [],
            r => new SessionStats(r.GetInt64(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4))))[0];
        var sessionSizes = await run.RowsAsync(nameof(ReportQueries.SessionSizes), ReportQueries.SessionSizes, [],
            r => new SessionSize(r.GetString(0), r.GetInt64(1)));
        var locations = await run.RowsAsync(nameof(ReportQueries.TopLocations), ReportQueries.TopLocations, TopInPeriod(),
            r => new LocationActivity(r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        var agents = await run.RowsAsync(nameof(ReportQueries.UserAgents), ReportQueries.UserAgents, InPeriod(),
            r => (Agent: r.IsDBNull(0) ? null : r.GetString(0), Plays: r.GetInt64(1)));
        var unmatched = await run.RowsAsync(nameof(ReportQueries.TopUnmatched), ReportQueries.TopUnmatched, TopInPeriod(),
            r => new UnmatchedSong(r.GetString(0), r.GetString(1), r.GetInt64(2)));
        var matched = songRows.Count == 0 ? 0 : songRows[0].Matched;
        var totals = new ReportTotals(plays, users, sessionCount, songRows.Count == 0 ? 0 : songRows[0].Songs, artistRows.Count == 0 ? 0 : artistRows[0].Artists);
        var topSongs = songRows.Select(r => r.Song).ToList();
        var topArtists = artistRows.Select(r => r.Artist).ToList();
        var coverage = (Matched: matched, Unmatched: plays - matched);
        LastTimings = run.Timings;

        return new WarehouseReport(
            period, DateTimeOffset.UtcNow, totals, perDay,
            [.. Enumerable.Range(0, 24).Select(hour => new HourActivity(hour, heat.Where(h => h.Hour == hour).Sum(h => h.Plays)))],
            [.. Enumerable.Range(0, 7).Select(day => new WeekdayActivity(day, WeekdayNames[day], heat.Where(h => h.Weekday == day).Sum(h => h.Plays)))],
            heat, topSongs, topArtists,
            [.. levels.Select(l => new LevelShare(l.Level, l.Plays, Share(l.Plays, totals.Plays), l.Users, Share(l.Users, totals.ActiveUsers)))],
            switches, sessions, sessionSizes, locations,
            Mix(agents, UserAgentClassifier.Browser, totals.Plays),
            Mix(agents, UserAgentClassifier.OperatingSystem, totals.Plays),
            new CatalogCoverage(coverage.Matched, coverage.Unmatched, Share(coverage.Matched, totals.Plays), unmatched));
    }

    /// <summary>When the star schema last changed (<see cref="ReportQueries.StarChangedAt"/>; 0: never): what a live report compares itself with to know it is stale.</summary>
    public async Task<long> StarChangedAtAsync(CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, commandTimeoutSeconds: null);
        return await session.ScalarAsync<bool>("SELECT to_regclass('batches') IS NOT NULL")
            ? await session.ScalarAsync<long>(ReportQueries.StarChangedAt)
            : 0;
    }

    private static WarehouseReport Empty(ReportPeriod period) => new(
        period, DateTimeOffset.UtcNow, new ReportTotals(0, 0, 0, 0, 0), [],
        [.. Enumerable.Range(0, 24).Select(hour => new HourActivity(hour, 0))],
        [.. Enumerable.Range(0, 7).Select(day => new WeekdayActivity(day, WeekdayNames[day], 0))],
        [], [], [], [], [], new SessionStats(0, 0, 0, 0, 0), [.. SessionSizeLabels.Select(label => new SessionSize(label, 0))], [], [], [],
        new CatalogCoverage(0, 0, 0, []));

    private static List<NamedShare> Mix(List<(string? Agent, long Plays)> agents, Func<string?, string> classify, long total) =>
        [.. agents.GroupBy(a => classify(a.Agent))
            .Select(g => new NamedShare(g.Key, g.Sum(a => a.Plays), Share(g.Sum(a => a.Plays), total)))
            .OrderByDescending(s => s.Plays).ThenBy(s => s.Name, StringComparer.Ordinal)];

    private static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private static Task<bool> HasStarSchemaAsync(WarehouseSession session) =>
        session.ScalarAsync<bool>("SELECT to_regclass('songplays') IS NOT NULL AND to_regclass('time') IS NOT NULL");

    /// <summary>A bound of the period: a timestamptz, or a typed NULL for unbounded.</summary>
    private static NpgsqlParameter Timestamp(DateTime? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    /// <summary>Runs the report's statements, each with the parameters its SQL names, and times them.</summary>
    private sealed class Run(WarehouseSession session)
    {
        public List<(string Query, TimeSpan Elapsed)> Timings { get; } = [];

        public async Task ExecuteAsync(string name, string sql, object?[] parameters)
        {
            var started = Stopwatch.GetTimestamp();
            await session.ExecuteAsync(sql, parameters);
            Timings.Add((name, Stopwatch.GetElapsedTime(started)));
        }

        public async Task<List<T>> RowsAsync<T>(string name, string sql, object?[] parameters, Func<NpgsqlDataReader, T> read)
        {
            var started = Stopwatch.GetTimestamp();
            var rows = await session.RowsAsync(sql, read, parameters);
            Timings.Add((name, Stopwatch.GetElapsedTime(started)));
            return rows;
        }
    }
}
