using Npgsql;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// The star-load claim of a pipeline batch (<c>batches.status = 'loading_star'</c>): whoever sees a batch's last
/// file settle claims its star load, which exactly one caller wins; a claim is released on failure, taken over once
/// stale, and failures of the load itself are counted.
/// </summary>
public sealed class StarLoadClaims(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Claims the star load of a batch whose files have all settled (staged or failed). Exactly one caller gets
    /// <c>Claimed</c>: the claim is one conditional UPDATE, and concurrent callers re-check it after the winner's
    /// commit. A claim older than <paramref name="takeOverAfter"/> is taken over: its holder is presumed dead (its
    /// uncommitted star load rolled back; a slow one merely runs first, under the star load's lock). The winner also
    /// gets the batch's traceparent.
    /// </summary>
    public async Task<(bool Claimed, string? TraceParent, DateTimeOffset OpenedAt)> TryClaimAsync(long batchId, TimeSpan? takeOverAfter = null,
        CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            UPDATE batches b SET status = 'loading_star', star_claimed_at = now()
            WHERE b.batch_id = $1 AND ({Claimable("$2")})
              AND NOT EXISTS (SELECT 1 FROM batch_files q WHERE q.batch_id = $1 AND q.state = 'queued')
            RETURNING coalesce(b.trace_parent, ''), b.created_at
            """);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(TakeOverParameter(takeOverAfter));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (false, null, default);
        }
        var traceParent = reader.GetString(0);
        return (true, traceParent.Length == 0 ? null : traceParent, reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>Pipeline batches with no file left in flight, ready for their star load (or whose claim went stale).</summary>
    public async Task<List<long>> FindSettledOpenAsync(TimeSpan? takeOverAfter = null, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT b.batch_id FROM batches b
            WHERE ({Claimable("$1")}) AND b.expected_files IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM batch_files q WHERE q.batch_id = b.batch_id AND q.state = 'queued')
            ORDER BY b.batch_id
            """);
        command.Parameters.Add(TakeOverParameter(takeOverAfter));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    /// <summary>The batch (aliased b) may be claimed: open, or claimed longer ago than the take-over age (NULL: never).</summary>
    private static string Claimable(string takeOverParameter) =>
        $"b.status = 'open' OR (b.status = 'loading_star' AND {takeOverParameter}::interval IS NOT NULL " +
        $"AND b.star_claimed_at < now() - {takeOverParameter}::interval)";

    private static NpgsqlParameter TakeOverParameter(TimeSpan? takeOverAfter) =>
        new() { Value = (object?)takeOverAfter ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval };

    /// <summary>
    /// Gives up a star-load claim whose load failed (the database went away, say): the batch is open again, and the
    /// next idle receiver of any instance finishes it. Safe because the star load is idempotent.
    /// </summary>
    public async Task ReleaseAsync(long batchId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE batches SET status = 'open', star_claimed_at = NULL WHERE batch_id = $1 AND status = 'loading_star'");
        command.Parameters.Add(new() { Value = batchId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Counts a star load that failed for its own reasons (not an outage); returns the attempts so far.</summary>
    public async Task<int> RecordFailureAsync(long batchId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE batches SET star_load_attempts = star_load_attempts + 1 WHERE batch_id = $1 RETURNING star_load_attempts");
        command.Parameters.Add(new() { Value = batchId });
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
