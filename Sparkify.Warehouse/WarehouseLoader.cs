using System.Diagnostics;
using Npgsql;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse;

/// <summary>
/// One batch end to end, without the cloud parts: stage the files (songs are expected before events), then finish the
/// batch (star load of exactly those files, their checks, status — one transaction). A load that fails on its way
/// fails its batch, and with it the files it staged, so that running it again stages them again.
/// </summary>
/// <param name="starLimits">The star load's limits; default: none (a person is watching), and waiting for a star load in progress.</param>
public sealed class WarehouseLoader(NpgsqlDataSource dataSource, LoadOptions options, StarLoadLimits? starLimits = null)
{
    private readonly StarLoadClaims _claims = new(dataSource);

    public async Task<BatchReport> LoadAsync(
        string source, IReadOnlyList<SourceFile> files, IProgress<FileLoadResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var batchId = await new BatchStore(dataSource).OpenAsync(source, cancellationToken);
        await using var alive = await LocalBatchLiveness.TryHoldAsync(dataSource, batchId, cancellationToken)
                                ?? throw new InvalidOperationException($"batch {batchId} is held by another process");
        Guid? owner = null;
        try
        {
            var times = new PhaseTimes();
            var results = await new StagingLoader(dataSource, options, times).LoadAsync(batchId, files, progress, cancellationToken);
            owner = (await _claims.ClaimOwnAsync(batchId, cancellationToken)).Owner;
            BatchOutcome outcome;
            using (times.Measure(PhaseTimes.StarLoad))
            {
                outcome = await FinishClaimedAsync(batchId, owner.Value,
                    failedFiles: results.Count(r => r.Outcome == FileOutcome.Failed),
                    skippedFiles: results.Count(r => r.Outcome == FileOutcome.AlreadyLoaded),
                    cancellationToken);
            }
            await new BatchPhaseTimesStore(dataSource).AddAsync(batchId, times, cancellationToken);
            return new BatchReport(batchId, outcome.Status, results, outcome.Star, outcome.Checks, stopwatch.Elapsed, outcome.RepairedTextRows);
        }
        catch (Exception exception)
        {
            await FailQuietlyAsync(batchId, owner, exception);
            throw;
        }
    }

    /// <summary>
    /// Finishes the local batches an earlier <c>sparkify load</c> left unfinished (its process died): the files it had
    /// staged reach the star schema with their checks, and the batch's status says how it ended.
    /// </summary>
    public async Task<IReadOnlyList<(long BatchId, BatchOutcome Outcome)>> FinishAbandonedAsync(CancellationToken cancellationToken = default)
    {
        var finished = new List<(long, BatchOutcome)>();
        foreach (var batchId in await LocalBatchLiveness.FindUnfinishedAsync(dataSource, cancellationToken))
        {
            await using var alive = await LocalBatchLiveness.TryHoldAsync(dataSource, batchId, cancellationToken);
            if (alive is null)
            {
                continue; // Another sparkify load is working on it.
            }
            var owner = (await _claims.ClaimOwnAsync(batchId, cancellationToken)).Owner;
            try
            {
                var failed = await CountFailedFilesAsync(batchId, cancellationToken);
                finished.Add((batchId, await FinishClaimedAsync(batchId, owner, failed, skippedFiles: 0, cancellationToken)));
            }
            catch (Exception exception)
            {
                await FailQuietlyAsync(batchId, owner, exception);
                throw;
            }
        }
        return finished;
    }

    private async Task<BatchOutcome> FinishClaimedAsync(long batchId, Guid owner, int failedFiles, int skippedFiles, CancellationToken cancellationToken)
    {
        var (attempt, outcome) = await new BatchFinisher(dataSource, starLimits ?? StarLoadLimits.None)
            .FinishAsync(batchId, owner, failedFiles, skippedFiles, cancellationToken);
        return attempt == StarAttempt.Done && outcome is not null
            ? outcome
            : throw new InvalidOperationException($"batch {batchId}'s star load did not run ({attempt})");
    }

    private async Task<int> CountFailedFilesAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(DISTINCT (file_key, etag)) FROM load_files WHERE batch_id = $1 AND status = 'failed'");
        command.Parameters.Add(new() { Value = batchId });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Fails the batch with the reason, unless the database is what failed (then it stays for the next load to finish).</summary>
    private async Task FailQuietlyAsync(long batchId, Guid? owner, Exception exception)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var reason = exception is OperationCanceledException ? "the load was cancelled" : exception.Message;
            await _claims.FailAsync(batchId, owner, reason, timeout.Token);
        }
        catch (Exception failure) when (failure is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The batch stays unfinished; the next sparkify load finishes it (its liveness lock is gone with this process).
        }
    }
}
