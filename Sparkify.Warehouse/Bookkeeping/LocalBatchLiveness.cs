using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// A batch that <c>sparkify load</c> opened is alive while its process holds a session advisory lock on the batch's id
/// (a connection of its own); when the process dies, the server ends the session and the lock with it. A later load
/// that can take the lock knows the batch was abandoned, and finishes what it had staged.
/// </summary>
public sealed class LocalBatchLiveness : IAsyncDisposable
{
    private const int LockClass = 0x53504B4C; // "SPKL"
    private readonly NpgsqlConnection _connection;
    private readonly long _batchId;

    private LocalBatchLiveness(NpgsqlConnection connection, long batchId) => (_connection, _batchId) = (connection, batchId);

    /// <returns>The held lock, or null when another live process holds it.</returns>
    public static async Task<LocalBatchLiveness?> TryHoldAsync(NpgsqlDataSource dataSource, long batchId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection);
            command.Parameters.Add(new() { Value = LockClass });
            command.Parameters.Add(new() { Value = (int)batchId });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return new LocalBatchLiveness(connection, batchId);
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

    /// <summary>Local batches (no manifest) still open or loading their star schema: alive, or abandoned.</summary>
    public static async Task<List<long>> FindUnfinishedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT batch_id FROM batches WHERE NOT has_manifest AND status IN ('open', 'loading_star') ORDER BY batch_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", _connection);
            command.Parameters.Add(new() { Value = LockClass });
            command.Parameters.Add(new() { Value = (int)_batchId });
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The connection is gone, and the lock with it.
        }
        await _connection.DisposeAsync();
    }
}
