using Npgsql;

namespace Sparkify.Warehouse;

/// <summary>Exact row counts of the staging and star tables, and of load errors.</summary>
public sealed class WarehouseStats(NpgsqlDataSource dataSource)
{
    /// <summary>The tables counted, in the order they are reported. Fixed names, never input.</summary>
    public static readonly IReadOnlyList<string> CountedTables =
        ["staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time", "load_errors"];

    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken = default)
    {
        var sql = "SELECT " + string.Join(", ", CountedTables.Select(t => $"(SELECT count(*) FROM {t})"));
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var counts = new Dictionary<string, long>(CountedTables.Count);
        for (var i = 0; i < CountedTables.Count; i++)
        {
            counts[CountedTables[i]] = reader.GetInt64(i);
        }
        return counts;
    }
}
