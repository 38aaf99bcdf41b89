using Npgsql;

namespace Sparkify.Warehouse.Staging;

/// <summary>How many of a batch's staged event rows had text repaired (double-encoded UTF-8; their raw values in <c>repaired_from</c>).</summary>
public static class RepairedTextCount
{
    private const string OfBatchSql =
        """
        SELECT count(*) FROM staging_events e JOIN load_files f ON f.file_id = e.file_id
        WHERE f.batch_id = $1 AND e.repaired_from IS NOT NULL
        """;

    /// <summary>Inside the batch's star unit (<see cref="BatchFinisher"/>): the count its outcome reports.</summary>
    public static Task<long> OfBatchAsync(WarehouseSession session, long batchId) => session.ScalarAsync<long>(OfBatchSql, batchId);

    /// <summary>For a batch that has ended, read afterwards (the AppHost's batch line).</summary>
    public static async Task<long> OfBatchAsync(NpgsqlDataSource dataSource, long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(OfBatchSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
