using Npgsql;

namespace Sparkify.Testing;

/// <summary>
/// Row count and content checksum of each warehouse table, leaving out what legitimately differs between two runs
/// (generated ids, batch ids, load times), so that a run with faults can be compared with a clean run.
/// </summary>
public sealed record WarehouseSnapshot(IReadOnlyDictionary<string, string> Tables)
{
    // Fixed queries: the row text of each table in a canonical order, hashed in the database.
    private static readonly (string Table, string Sql)[] Queries =
    [
        ("songplays", Checksum("(start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, item_in_session)", "songplays")),
        ("users", Checksum("t", "users")),
        ("songs", Checksum("t", "songs")),
        ("artists", Checksum("t", "artists")),
        ("time", Checksum("t", "time")),
        ("staging_songs", Checksum("(line_number, num_songs, artist_id, artist_latitude, artist_longitude, artist_location, artist_name, song_id, title, duration, year)", "staging_songs")),
        ("staging_events", Checksum("(line_number, artist, auth, first_name, gender, item_in_session, last_name, length, level, location, method, page, registration, session_id, song, status, ts, user_agent, user_id)", "staging_events")),
    ];

    private static string Checksum(string row, string table) =>
        $"SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg({row}::text, E'\\n' ORDER BY {row}::text), '')) FROM {table} t";

    public static async Task<WarehouseSnapshot> TakeAsync(NpgsqlDataSource dataSource)
    {
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (table, sql) in Queries)
        {
            await using var command = dataSource.CreateCommand(sql);
            tables[table] = (string)(await command.ExecuteScalarAsync())!;
        }
        return new WarehouseSnapshot(tables);
    }

    public override string ToString() => string.Join("\n", Tables.Select(t => $"{t.Key}: {t.Value}"));

    public bool Equals(WarehouseSnapshot? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
