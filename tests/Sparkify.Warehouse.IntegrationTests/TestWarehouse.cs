using Npgsql;
using Sparkify.Testing;
using Sparkify.Warehouse.Schema;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>A fresh, migrated database of its own on the test server, with helpers to load and inspect it.</summary>
internal sealed class TestWarehouse : IAsyncDisposable
{
    private TestWarehouse(NpgsqlDataSource dataSource) => DataSource = dataSource;

    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestWarehouse> CreateAsync(PostgresFixture postgres)
    {
        var dataSource = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync("warehouse"));
        await new SchemaMigrator(dataSource).MigrateAsync();
        return new TestWarehouse(dataSource);
    }

    public async Task<BatchReport> LoadFolderAsync(string folder, LoadOptions? options = null, Func<SourceFile, bool>? filter = null,
        StarLoadLimits? starLimits = null)
    {
        var files = await LocalSourceFiles.FindAsync(folder);
        return await new WarehouseLoader(DataSource, options ?? new LoadOptions(), starLimits)
            .LoadAsync(folder, [.. files.Where(filter ?? (_ => true))]);
    }

    public Task<IReadOnlyDictionary<string, long>> CountsAsync() => new WarehouseStats(DataSource).CountAsync();

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<object?[]>> RowsAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>A digest of a table's content (all rows, in a fixed order), to compare two warehouses.</summary>
    public Task<string> ContentDigestAsync(string table, string columns) =>
        // Table and column lists are fixed strings in the tests.
        ScalarAsync<string>($"SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM (SELECT {columns} FROM {table}) r");

    public async Task<Dictionary<string, string>> StarDigestsAsync() => new()
    {
        ["songplays"] = await ContentDigestAsync("songplays", "start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, item_in_session"),
        ["users"] = await ContentDigestAsync("users", "*"),
        ["songs"] = await ContentDigestAsync("songs", "*"),
        ["artists"] = await ContentDigestAsync("artists", "*"),
        ["time"] = await ContentDigestAsync("time", "*"),
    };

    public async Task<List<(string File, long Line, string? Column, string Reason)>> LoadErrorsAsync() =>
        [.. (await RowsAsync("SELECT file_key, line_number, column_name, reason FROM load_errors ORDER BY file_key, line_number"))
            .Select(r => ((string)r[0]!, (long)r[1]!, (string?)r[2], (string)r[3]!))];

    /// <summary>The line numbers staged from one file (by its path below the loaded folder), in order.</summary>
    public async Task<List<int>> StagedLinesAsync(string table, string relativePath) =>
        [.. (await RowsAsync(
                $"SELECT s.line_number FROM {table} s JOIN load_files f USING (file_id) WHERE right(f.file_key, $2) = $1 ORDER BY 1",
                "/" + relativePath, relativePath.Length + 1))
            .Select(r => (int)r[0]!)];

    public async ValueTask DisposeAsync() => await DataSource.DisposeAsync();
}
