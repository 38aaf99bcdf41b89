using Npgsql;
using NpgsqlTypes;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// The star-load claim of a batch (<c>batches.status = 'loading_star'</c>, <c>star_owner</c> the claimant's token):
/// whoever sees a batch's last file settle claims its star load, which exactly one caller wins. Every later step —
/// the load itself (<see cref="BatchFinisher"/>), a release, a failure, the close — names the owner in its WHERE, so a
/// claim taken over cannot be released, failed or closed by the instance that lost it. A claim is taken over only once
/// it is older than the take-over age and no transaction holds its batch's row (a live load holds it throughout).
/// </summary>
public sealed class StarLoadClaims(NpgsqlDataSource dataSource)
{
    public sealed record Claim(Guid Owner, string? TraceParent, DateTimeOffset OpenedAt);

    /// <summary>
    /// Claims the star load of a batch whose files have all settled (staged or failed) and whose manifest is whole (its
    /// listing has ended: <c>expected_files</c> set), unless a failed attempt asked to be retried later. Exactly one caller gets a claim: it is one conditional UPDATE of a row locked with SKIP
    /// LOCKED. A claim older than <paramref name="takeOverAfter"/> is taken over: its holder is presumed dead (a live
    /// one holds the row, so it is skipped). The winner also gets the batch's traceparent.
    /// </summary>
    public async Task<Claim?> TryClaimAsync(long batchId, TimeSpan? takeOverAfter = null, CancellationToken cancellationToken = default)
    {
        var owner = Guid.NewGuid();
        await using var command = dataSource.CreateCommand(
            $"""
            UPDATE batches b SET status = 'loading_star', star_claimed_at = now(), star_owner = $3
            WHERE b.batch_id = (SELECT x.batch_id FROM batches x
                                WHERE x.batch_id = $1 AND ({Claimable("x", "$2")}) AND x.expected_files IS NOT NULL
                                  AND NOT EXISTS (SELECT 1 FROM batch_files q WHERE q.batch_id = $1 AND q.state = 'queued')
                                FOR NO KEY UPDATE SKIP LOCKED)
            RETURNING coalesce(b.trace_parent, ''), b.created_at
            """);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(TakeOverParameter(takeOverAfter));
        command.Parameters.Add(new() { Value = owner });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var traceParent = reader.GetString(0);
        return new Claim(owner, traceParent.Length == 0 ? null : traceParent, reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>
    /// Claims a batch this process opened and staged itself (<c>sparkify load</c>): no manifest, no take-over; the
    /// caller's liveness lock (<see cref="LocalBatchLiveness"/>) tells others it is alive.
    /// </summary>
    public async Task<Claim> ClaimOwnAsync(long batchId, CancellationToken cancellationToken = default)
    {
        var owner = Guid.NewGuid();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE batches SET status = 'loading_star', star_claimed_at = now(), star_owner = $2
            WHERE batch_id = $1 AND status IN ('open', 'loading_star')
            RETURNING created_at
            """);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = owner });
        var openedAt = await command.ExecuteScalarAsync(cancellationToken)
                       ?? throw new InvalidOperationException($"batch {batchId} has ended already; it cannot be claimed");
        return new Claim(owner, null, new DateTimeOffset((DateTime)openedAt, TimeSpan.Zero));
    }

    /// <summary>
    /// Pipeline batches ready for their star load: no file left in flight, not waiting out a retry delay, unclaimed or
    /// with a claim gone stale.
    /// </summary>
    public async Task<List<long>> FindSettledOpenAsync(TimeSpan? takeOverAfter = null, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT b.batch_id FROM batches b
            WHERE ({Claimable("b", "$1")}) AND b.expected_files IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM batch_files q WHERE q.batch_id = b.batch_id AND q.state = 'queued')
            ORDER BY b.batch_id
            -- A batch whose star load is running is held by it: not a candidate.
            FOR NO KEY UPDATE SKIP LOCKED
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

    /// <summary>
    /// The batch (alias <paramref name="b"/>) may be claimed: open and not waiting out a retry delay, or claimed longer
    /// ago than the take-over age (NULL: never).
    /// </summary>
    private static string Claimable(string b, string takeOverParameter) =>
        $"({b}.status = 'open' AND ({b}.star_retry_at IS NULL OR {b}.star_retry_at <= now())) " +
        $"OR ({b}.status = 'loading_star' AND {takeOverParameter}::interval IS NOT NULL AND {b}.star_claimed_at < now() - {takeOverParameter}::interval)";

    private static NpgsqlParameter TakeOverParameter(TimeSpan? takeOverAfter) =>
        new() { Value = (object?)takeOverAfter ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval };

    /// <summary>
    /// Gives up a claim without counting an attempt (the instance is stopping, the database went away, another star
    /// load held the lock): the batch is open again for any instance. A claim taken over meanwhile is left alone.
    /// </summary>
    /// <returns>False when the claim was no longer this owner's.</returns>
    public async Task<bool> ReleaseAsync(long batchId, Guid owner, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE batches SET status = 'open', star_claimed_at = NULL, star_owner = NULL
            WHERE batch_id = $1 AND star_owner = $2 AND status = 'loading_star'
            """);
        command.Parameters.Add(new() { Value = batchId });
        command.Parameters.Add(new() { Value = owner });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Counts a star load that failed for its own reasons (not an outage, not a stop). Below
    /// <paramref name="maxAttempts"/> the claim is given back, to be retried no sooner than the backoff after this many
    /// failures (<paramref name="firstDelay"/> doubled each time, at most <paramref name="maxDelay"/>); at the last one the
    /// batch is failed as <see cref="FailAsync"/> does.
    /// </summary>
    /// <returns>The attempts so far and whether the batch is now failed; null when the claim was no longer this owner's.</returns>
    public async Task<(int Attempts, bool Failed)?> CountFailureAsync(long batchId, Guid owner, string reason, int maxAttempts,
        TimeSpan firstDelay, TimeSpan maxDelay, CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken);
        var bounded = Parsing.LoadErrorText.Bound(reason);
        var attempts = await session.ScalarAsync<int?>(
            """
            UPDATE batches SET star_load_attempts = star_load_attempts + 1, error = $3
            WHERE batch_id = $1 AND star_owner = $2 AND status = 'loading_star'
            RETURNING star_load_attempts
            """, batchId, owner, bounded);
        if (attempts is not { } count)
        {
            return null;
        }
        if (count >= maxAttempts)
        {
            await FailFilesAndCloseAsync(session, batchId, $"the star load failed {(count == 1 ? "once" : $"{count} times")}; last: {bounded}");
        }
        else
        {
            await session.ExecuteAsync(
                """
                UPDATE batches SET status = 'open', star_claimed_at = NULL, star_owner = NULL,
                                   star_retry_at = now() + least($3::interval, $2::interval * power(2, $4 - 1))
                WHERE batch_id = $1
                """, batchId, firstDelay, maxDelay, count);
        }
        await session.CommitAsync();
        return (count, count >= maxAttempts);
    }

    /// <summary>
    /// Ends a batch whose star load cannot be done (it kept failing, or <c>sparkify load</c> stopped on an error): the
    /// batch is failed with the reason, and the files it staged that never reached the star schema are failed too —
    /// their staging rows removed, their manifest entries failed — so that none of its rows is in the star schema and a
    /// replay, a backfill or the next <c>sparkify load</c> of the folder stages them again. <paramref name="owner"/>
    /// null: the caller opened the batch and holds it without a claim (<c>sparkify load</c> while staging).
    /// </summary>
    /// <returns>False when the claim was no longer this owner's (nothing changed).</returns>
    public async Task<bool> FailAsync(long batchId, Guid? owner, string reason, CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken);
        var bounded = Parsing.LoadErrorText.Bound(reason);
        var ours = await session.ScalarAsync<bool>(
            """
            SELECT true FROM batches
            WHERE batch_id = $1 AND (star_owner = $2 OR ($2 IS NULL AND status = 'open' AND star_owner IS NULL))
            FOR NO KEY UPDATE
            """, batchId, new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        if (!ours)
        {
            return false;
        }
        await FailFilesAndCloseAsync(session, batchId, bounded);
        await session.CommitAsync();
        return true;
    }

    private static async Task FailFilesAndCloseAsync(WarehouseSession session, long batchId, string reason)
    {
        var fileReason = Parsing.LoadErrorText.Bound($"its batch's star load did not complete: {reason}");
        await session.BatchAsync(
            ("""
             CREATE TEMP TABLE failed_batch_files ON COMMIT DROP AS
             WITH failed AS (
                 UPDATE load_files f SET status = 'failed', failure_reason = $2
                 WHERE f.batch_id = $1 AND f.status = 'loaded' AND NOT EXISTS (SELECT 1 FROM star_files s WHERE s.file_id = f.file_id)
                 RETURNING f.file_id, f.file_key, f.etag)
             SELECT * FROM failed
             """, [batchId, fileReason]),
            ("DELETE FROM staging_events WHERE file_id IN (SELECT file_id FROM failed_batch_files)", []),
            ("DELETE FROM staging_songs WHERE file_id IN (SELECT file_id FROM failed_batch_files)", []),
            ("""
             UPDATE batch_files q SET state = 'failed', failure_reason = $2, updated_at = now()
             FROM failed_batch_files f WHERE q.batch_id = $1 AND q.file_key = f.file_key AND q.etag = f.etag
             """, [batchId, fileReason]));
        await BatchStore.CloseAsync(session, batchId, BatchStatus.Failed, reason, filesSkipped: 0);
    }
}
