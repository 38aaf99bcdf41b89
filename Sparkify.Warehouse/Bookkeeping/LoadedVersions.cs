using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>Which of some file versions (key, ETag) are loaded: the question Ingest, the replay and staging all ask.</summary>
public static class LoadedVersions
{
    public static async Task<HashSet<(string Key, string ETag)>> FindAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<(string Key, string ETag)> versions,
        CancellationToken cancellationToken)
    {
        var loaded = new HashSet<(string, string)>();
        if (versions.Count == 0)
        {
            return loaded;
        }
        await using var command = dataSource.CreateCommand(
            """
            SELECT f.file_key, f.etag
            FROM load_files f
            JOIN unnest($1::text[], $2::text[]) AS i (file_key, etag) ON f.file_key = i.file_key AND f.etag = i.etag
            WHERE f.status = 'loaded'
            """);
        command.Parameters.Add(new() { Value = versions.Select(v => v.Key).ToArray() });
        command.Parameters.Add(new() { Value = versions.Select(v => v.ETag).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            loaded.Add((reader.GetString(0), reader.GetString(1)));
        }
        return loaded;
    }
}
