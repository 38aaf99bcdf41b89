using Npgsql;

namespace Sparkify.Warehouse;

/// <summary>Exact row counts of the staging and star tables, and of load errors.</summary>
public sealed class WarehouseStats(NpgsqlDataSource dataSource)
{
    /// <summary>The tables counted, in the order they are reported. Fixed names, never input.</summary>
    public static readonly IReadOnlyList<string> CountedTables =
        ["staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time", "load_errors"];

    /// <summary>The star tables alone (what a load produced, without the staging it came from).</summary>
    public static readonly IReadOnlyList<string> StarTables = ["songplays", "users", "songs", "artists", "time"];

    public Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken = default) =>
        CountAsync(CountedTables, cancellationToken);

    /// <param name="tables">Some of <see cref="CountedTables"/>, counted in one round trip.</param>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken = default)
    {
        if (tables.Except(CountedTables).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"{unknown} is not a table counted here", nameof(tables));
        }
        var sql = "SELECT " + string.Join(", ", tables.Select(t => $"(SELECT count(*) FROM {t})"));
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var counts = new Dictionary<string, long>(tables.Count);
        for (var i = 0; i < tables.Count; i++)
        {
            counts[tables[i]] = reader.GetInt64(i);
        }
        return counts;
    }
}
