using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Transform;

/// <summary>
/// Finishes batches: claims the star load of a batch whose files have all settled, runs it with its checks, and on a
/// failure gives the claim back (or, after <see cref="TransformOptions.MaxStarLoadAttempts"/>, fails the batch). Used
/// by the receiver that settled a batch's last file and by idle receivers picking up a batch whose finisher crashed.
/// </summary>
public sealed class StarLoadCoordinator(
    NpgsqlDataSource dataSource, BatchManifests batches, StarLoadClaims claims, PendingPhaseTimes pendingTimes, DependencyRetry retry,
    IHostApplicationLifetime lifetime, ScaleInProtection protection, IOptions<TransformOptions> options, ILogger<StarLoadCoordinator> logger)
{
    /// <summary>
    /// Runs the star load of a batch whose files have all settled, when this caller wins the claim. Its span joins
    /// the trace of the scan that opened the batch, whichever instance runs it.
    /// </summary>
    public async Task<bool> TryFinishBatchAsync(long batchId, CancellationToken cancellationToken)
    {
        var (claimed, traceParent, openedAt) = await claims.TryClaimAsync(
            batchId, TimeSpan.FromSeconds(options.Value.StarLoadTakeoverSeconds), cancellationToken);
        if (!claimed)
        {
            return false;
        }
        using var busy = protection.Hold();
        ActivityContext.TryParse(traceParent, null, isRemote: true, out var trace);
        using var activity = PipelineTelemetry.Source.StartActivity("star load", ActivityKind.Internal, trace);
        activity?.SetTag("sparkify.batch.id", batchId);
        var stopwatch = Stopwatch.StartNew();
        BatchOutcome outcome;
        try
        {
            var failed = await batches.CountFailedAsync(batchId, cancellationToken);
            outcome = await new BatchFinisher(dataSource, TimeSpan.FromSeconds(options.Value.StarLoadTimeoutSeconds))
                .FinishAsync(batchId, failed, skippedFiles: 0, cancellationToken);
        }
        catch (Exception exception)
        {
            // Interrupted (a stop, the database gone) or failed: the claim is given back at once — not with the
            // cancelled token — so that any instance can run the load again; the caller logs the error itself. A load
            // that fails for its own reasons a few times ends its batch as failed, saying why, instead of looping.
            var reason = exception is OperationCanceledException ? "interrupted" : TransientFaults.Describe(exception);
            if (exception is not OperationCanceledException && !TransientFaults.IsTransient(exception)
                && await GiveUpStarLoadAsync(batchId, reason))
            {
                throw;
            }
            logger.LogWarning("Batch {BatchId}: the star load did not complete ({Reason}); releasing its claim.", batchId, reason);
            await ReleaseClaimAsync(batchId);
            throw;
        }
        PipelineTelemetry.StarLoadDuration.Record(stopwatch.Elapsed.TotalSeconds);
        PipelineTelemetry.BatchDuration.Record((DateTimeOffset.UtcNow - openedAt).TotalSeconds);
        var times = pendingTimes.Take(batchId);
        times.Add(PhaseTimes.StarLoad, stopwatch.Elapsed);
        await pendingTimes.RecordAsync(batchId, times.TakeSeconds(), cancellationToken);
        logger.LogInformation("Batch {BatchId} {Status}{Problems}.", batchId, outcome.Status, outcome.Problems is null ? "" : ": " + outcome.Problems);
        return true;
    }

    /// <returns>True when this failure was the last attempt allowed and the batch is now failed.</returns>
    private async Task<bool> GiveUpStarLoadAsync(long batchId, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var attempts = await claims.RecordFailureAsync(batchId, timeout.Token);
            if (attempts < options.Value.MaxStarLoadAttempts)
            {
                return false;
            }
            logger.LogError("Batch {BatchId}: the star load failed {Attempts} times; the batch is failed: {Reason}", batchId, attempts, reason);
            await new BatchStore(dataSource).CloseAsync(batchId, BatchStatus.Failed,
                $"the star load failed {attempts} times; last: {Warehouse.Parsing.LoadErrorText.Bound(reason)}", filesSkipped: 0, timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gives the claim back within a few seconds; if the database cannot be reached, keeps trying in the background
    /// until this instance stops, after which the claim's age lets another instance take it over.
    /// </summary>
    private async Task ReleaseClaimAsync(long batchId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await claims.ReleaseAsync(batchId, timeout.Token);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            _ = Task.Run(() => retry.WaitForAsync($"the database, to release the star-load claim of batch {batchId}",
                async token => { await claims.ReleaseAsync(batchId, token); return true; }, lifetime.ApplicationStopped));
        }
    }
}
