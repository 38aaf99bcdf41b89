using Npgsql;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Quality;
using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse;

/// <param name="RepairedTextRows">The batch's staged event rows whose text was repaired (<see cref="Staging.RepairedTextCount"/>).</param>
public sealed record BatchOutcome(string Status, StarLoadResult Star, IReadOnlyList<QualityCheckResult> Checks, string? Problems, long RepairedTextRows);

/// <summary>How one attempt at a claimed batch's star unit ended when it did not throw.</summary>
public enum StarAttempt
{
    /// <summary>Star load, checks and status committed together.</summary>
    Done,

    /// <summary>Another batch's star load held the star-load lock longer than the caller would wait: nothing was done.</summary>
    Busy,

    /// <summary>The claim is no longer the caller's (taken over): nothing was done.</summary>
    ClaimLost,
}

/// <summary>
/// The end of every batch, local or pipeline, as one unit: one transaction that holds the star-load lock and the batch's
/// row (claimed by <paramref name="owner"/>), loads the batch's files into the star schema, runs the batch's checks
/// over exactly those files, and records the batch's final status. Either all of it commits or none of it does: a
/// batch is completed only when the star schema holds its rows and its checks judged them.
/// </summary>
/// <param name="limits">How long one statement may run (null: no limit) and how long to wait for another star load.</param>
public sealed class BatchFinisher(NpgsqlDataSource dataSource, StarLoadLimits limits)
{
    /// <summary>The advisory lock that serialises star loads (one at a time per warehouse).</summary>
    public const long StarLoadLockKey = 0x5350_4B46_5354_4152; // "SPKFSTAR"

    public async Task<(StarAttempt Attempt, BatchOutcome? Outcome)> FinishAsync(long batchId, Guid owner, int failedFiles, int skippedFiles,
        CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken);
        await session.ExecuteAsync(StarSessionSettings.For(limits.StatementTimeout));
        // The batch's row first: held for the whole transaction, it tells a would-be taker that this load is alive
        // (a take-over skips locked rows), also while it waits for another batch's star load below.
        var ours = await session.ScalarAsync<bool>(
            "SELECT true FROM batches WHERE batch_id = $1 AND star_owner = $2 AND status = 'loading_star' FOR NO KEY UPDATE", batchId, owner);
        if (!ours)
        {
            return (StarAttempt.ClaimLost, null);
        }
        if (!await TryLockStarAsync(session))
        {
            return (StarAttempt.Busy, null);
        }

        var star = await StarSchemaLoader.LoadAsync(session, batchId, limits.BulkMinimumPlays);
        var checks = await QualityChecks.RunInStarLoadAsync(session, batchId);
        var repaired = await Staging.RepairedTextCount.OfBatchAsync(session, batchId);

        var problems = new List<string>();
        if (failedFiles > 0)
        {
            problems.Add($"{failedFiles} file(s) failed");
        }
        var failedChecks = checks.Where(c => !c.Passed).Select(c => c.Name).ToList();
        if (failedChecks.Count > 0)
        {
            problems.Add("quality checks failed: " + string.Join(", ", failedChecks));
        }
        var status = problems.Count == 0 ? BatchStatus.Completed : BatchStatus.CompletedWithFailures;
        var summary = problems.Count == 0 ? null : string.Join("; ", problems);
        await BatchStore.CloseAsync(session, batchId, status, summary, skippedFiles, star);
        await session.CommitAsync();
        return (StarAttempt.Done, new BatchOutcome(status, star, checks, summary, repaired));
    }

    /// <summary>Waits for the star-load lock at most <see cref="StarLoadLimits.LockWait"/> (null: as long as it takes).</summary>
    private async Task<bool> TryLockStarAsync(WarehouseSession session)
    {
        if (limits.LockWait is not { } wait)
        {
            await session.ExecuteAsync("SELECT pg_advisory_xact_lock($1)", StarLoadLockKey);
            return true;
        }
        await session.ExecuteAsync($"SET LOCAL lock_timeout = {(long)wait.TotalMilliseconds}");
        try
        {
            await session.ExecuteAsync("SELECT pg_advisory_xact_lock($1)", StarLoadLockKey);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return false;
        }
        // Row locks and the rest wait as long as a statement may run.
        await session.ExecuteAsync("SET LOCAL lock_timeout = 0");
        return true;
    }
}

/// <param name="StatementTimeout">The longest one statement of the star load or its checks may run; null: no limit.</param>
/// <param name="LockWait">How long to wait while another batch's star load runs; null: as long as it takes.</param>
public sealed record StarLoadLimits(TimeSpan? StatementTimeout, TimeSpan? LockWait)
{
    /// <summary>
    /// New plays from which a batch that also outnumbers the plays already loaded takes the bulk path (indexes built
    /// after the insert). Below it the DDL would cost more than it saves, and would lock readers out for nothing.
    /// </summary>
    public int BulkMinimumPlays { get; init; } = 50_000;

    /// <summary>A person is watching (<c>sparkify load</c>): no limit, and wait for a star load in progress.</summary>
    public static readonly StarLoadLimits None = new(null, null);
}
