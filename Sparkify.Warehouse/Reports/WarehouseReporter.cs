using System.Data;
using System.Diagnostics;
using Npgsql;

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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await HasStarSchemaAsync(connection, cancellationToken))
        {
            LastTimings = [];
            return Empty(period);
        }
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var run = new Run(connection, transaction, period, top, cancellationToken);
        // The aggregations of a period's plays fit in memory; with the default work_mem they would spill to disk. Each
        // query scans the period's plays once: let the planner share that scan among workers even for a few 100k rows.
        await run.ExecuteAsync("SET LOCAL work_mem = '64MB'");
        await run.ExecuteAsync("SET LOCAL parallel_setup_cost = 10");
        await run.ExecuteAsync("SET LOCAL parallel_tuple_cost = 0.001");
        await run.ExecuteAsync(ReportQueries.CollectSessions, nameof(ReportQueries.CollectSessions));

        var (plays, users, sessionCount) = (await run.RowsAsync(nameof(ReportQueries.Totals), ReportQueries.Totals,
            r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))))[0];
        var perDay = await run.RowsAsync(nameof(ReportQueries.PlaysPerDay), ReportQueries.PlaysPerDay,
            r => new DayActivity(DateOnly.FromDateTime(r.GetDateTime(0)), r.GetInt64(1), r.GetInt64(2)));
        var heat = await run.RowsAsync(nameof(ReportQueries.HourByWeekday), ReportQueries.HourByWeekday,
            r => new HourOfWeekday(r.GetInt32(0), r.GetInt32(1), r.GetInt64(2)));
        var songRows = await run.RowsAsync(nameof(ReportQueries.TopSongs), ReportQueries.TopSongs,
            r => (Song: new TopSong(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), Songs: r.GetInt64(4), Matched: r.GetInt64(5)));
        var artistRows = await run.RowsAsync(nameof(ReportQueries.TopArtists), ReportQueries.TopArtists,
            r => (Artist: new TopArtist(r.GetString(0), r.GetString(1), r.GetInt64(2)), Artists: r.GetInt64(3)));
        var levels = await run.RowsAsync(nameof(ReportQueries.Levels), ReportQueries.Levels,
            r => (Level: r.GetString(0), Plays: r.GetInt64(1), Users: r.GetInt64(2)));
        var switches = await run.RowsAsync(nameof(ReportQueries.LevelSwitches), ReportQueries.LevelSwitches,
            r => new LevelSwitch(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.GetString(3), r.GetString(4), new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero)));
        var sessions = (await run.RowsAsync(nameof(ReportQueries.Sessions), ReportQueries.Sessions,
            r => new SessionStats(r.GetInt64(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4))))[0];
        var sessionSizes = await run.RowsAsync(nameof(ReportQueries.SessionSizes), ReportQueries.SessionSizes,
            r => new SessionSize(r.GetString(0), r.GetInt64(1)));
        var locations = await run.RowsAsync(nameof(ReportQueries.TopLocations), ReportQueries.TopLocations,
            r => new LocationActivity(r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        var agents = await run.RowsAsync(nameof(ReportQueries.UserAgents), ReportQueries.UserAgents,
            r => (Agent: r.IsDBNull(0) ? null : r.GetString(0), Plays: r.GetInt64(1)));
        var unmatched = await run.RowsAsync(nameof(ReportQueries.TopUnmatched), ReportQueries.TopUnmatched,
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('batches') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }
        await using var command = new NpgsqlCommand(ReportQueries.StarChangedAt, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
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

    private static async Task<bool> HasStarSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass('songplays') IS NOT NULL AND to_regclass('time') IS NOT NULL", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private sealed class Run(NpgsqlConnection connection, NpgsqlTransaction transaction, ReportPeriod period, int top, CancellationToken cancellationToken)
    {
        public List<(string Query, TimeSpan Elapsed)> Timings { get; } = [];

        public async Task ExecuteAsync(string sql, string? name = null)
        {
            var started = Stopwatch.GetTimestamp();
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            if (sql.Contains("$1", StringComparison.Ordinal))
            {
                AddPeriod(command);
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
            if (name is not null)
            {
                Timings.Add((name, Stopwatch.GetElapsedTime(started)));
            }
        }

        private void AddPeriod(NpgsqlCommand command)
        {
            command.Parameters.Add(new() { Value = (object?)period.StartUtc ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new() { Value = (object?)period.EndUtc ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        }

        public async Task<List<T>> RowsAsync<T>(string name, string sql, Func<NpgsqlDataReader, T> read)
        {
            var started = Stopwatch.GetTimestamp();
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            if (sql.Contains("$1", StringComparison.Ordinal))
            {
                AddPeriod(command);
            }
            if (sql.Contains("$3", StringComparison.Ordinal))
            {
                command.Parameters.Add(new() { Value = top });
            }
            var rows = new List<T>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(read(reader));
                }
            }
            Timings.Add((name, Stopwatch.GetElapsedTime(started)));
            return rows;
        }
    }
}
