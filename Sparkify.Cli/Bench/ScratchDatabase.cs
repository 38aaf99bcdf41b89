using Npgsql;

namespace Sparkify.Cli.Bench;

/// <summary>A database of its own on the bench's server, created here and dropped (with its connections) on dispose.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string serverConnectionString;
    private readonly string name;

    private ScratchDatabase(string serverConnectionString, string name)
    {
        this.serverConnectionString = serverConnectionString;
        this.name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(string serverConnectionString, CancellationToken cancellationToken)
    {
        var database = new ScratchDatabase(serverConnectionString, $"sparkify_bench_{Guid.NewGuid():N}"[..40]);
        await database.AdminAsync($"CREATE DATABASE {database.name}", cancellationToken);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
    }

    private async Task AdminAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(cancellationToken);
        // sql is built here from a fixed prefix and a GUID.
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
