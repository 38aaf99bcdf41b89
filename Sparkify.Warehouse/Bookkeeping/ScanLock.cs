using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// The one Ingest scan at a time: a session-level advisory lock on a connection of its own, released on dispose or
/// when the process dies. Holding it is also the proof some statements ask for (<see cref="BatchManifests.FindUnpublishedAsync"/>).
/// </summary>
public sealed class ScanLock : IAsyncDisposable
{
    private const long Key = 0x5350_4B46_5343_414E; // "SPKFSCAN"

    private ScanLock(NpgsqlConnection connection) => Connection = connection;

    /// <summary>The session that holds the lock.</summary>
    internal NpgsqlConnection Connection { get; }

    /// <returns>The held lock, or null when another scan holds it.</returns>
    internal static async Task<ScanLock?> TryTakeAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new() { Value = Key });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return new ScanLock(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", Connection);
            command.Parameters.Add(new() { Value = Key });
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The connection is gone, and the lock with it.
        }
        await Connection.DisposeAsync();
    }
}
