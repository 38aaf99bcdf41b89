using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Star;

namespace Sparkify.Transform;

/// <summary>
/// Finishes batches: claims the star unit of a batch whose files have all settled (a token names this attempt as its
/// owner), runs it under a whole-load deadline, and settles the claim whatever happens. A star load's failure counts
/// against the star load — retried later with backoff, and after <see cref="TransformOptions.MaxStarLoadAttempts"/>
/// the batch is failed with its files — never against the receive loop, which goes on staging files meanwhile.
/// </summary>
public sealed class StarLoadCoordinator(
    NpgsqlDataSource dataSource, BatchManifests batches, StarLoadClaims claims, PendingPhaseTimes pendingTimes, DependencyRetry retry,
    IHostApplicationLifetime lifetime, ScaleInProtection protection, IOptions<TransformOptions> options, IOptions<RetryOptions> retryOptions,
    ILogger<StarLoadCoordinator> logger)
{
    private readonly SemaphoreSlim _committed = new(0, 1);

    /// <summary>Waits until a star load of this instance commits, or <paramref name="timeout"/> passes.</summary>
    public Task WaitForCommittedStarLoadAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _committed.WaitAsync(timeout, cancellationToken);

    private void SignalCommitted()
    {
        try
        {
            _committed.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled already and not yet taken: one look covers both.
        }
    }

    /// <summary>
    /// Runs the star unit of a batch whose files have all settled, when this caller wins the claim. Its span joins the
    /// trace of the scan that opened the batch, whichever instance runs it. Throws only when
    /// <paramref name="cancellationToken"/> is cancelled (the instance is stopping: the claim is given back first).
    /// </summary>
    /// <returns>True when this call finished the batch.</returns>
    public async Task<bool> TryFinishBatchAsync(long batchId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        StarLoadClaims.Claim? claim;
        try
        {
            claim = await claims.TryClaimAsync(batchId, TimeSpan.FromSeconds(settings.StarLoadTakeoverSeconds), cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && TransientFaults.IsTransient(exception))
        {
            logger.LogWarning("Batch {BatchId}: could not claim its star load ({Reason}); it is tried again later.", batchId,
                TransientFaults.Describe(exception));
            return false;
        }
        if (claim is null)
        {
            return false;
        }

        // A task running a star load is not stopped by a scale-in or a deployment.
        using var busy = protection.Hold();
        ActivityContext.TryParse(claim.TraceParent, null, isRemote: true, out var trace);
        using var activity = PipelineTelemetry.Source.StartActivity("star load", ActivityKind.Internal, trace);
        activity?.SetTag("sparkify.batch.id", batchId);
        var stopwatch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(settings.StarLoadDeadlineSeconds));
        try
        {
            var failed = await batches.CountFailedAsync(batchId, deadline.Token);
            var limits = new StarLoadLimits(TimeSpan.FromSeconds(settings.StarLoadTimeoutSeconds), TimeSpan.FromSeconds(settings.StarLoadLockWaitSeconds));
            var (attempt, outcome) = await new BatchFinisher(dataSource, limits).FinishAsync(batchId, claim.Owner, failed, skippedFiles: 0, deadline.Token);
            switch (attempt)
            {
                case StarAttempt.Busy:
                    // Another batch's star load runs: this one is due again at once, uncounted.
                    await ReleaseAsync(batchId, claim.Owner);
                    return false;
                case StarAttempt.ClaimLost:
                    logger.LogWarning("Batch {BatchId}: its star-load claim was taken over; leaving it to its new owner.", batchId);
                    return false;
            }
            SignalCommitted();
            PipelineTelemetry.StarLoadDuration.Record(stopwatch.Elapsed.TotalSeconds);
            PipelineTelemetry.BatchDuration.Record((DateTimeOffset.UtcNow - claim.OpenedAt).TotalSeconds);
            var times = pendingTimes.Take(batchId);
            times.Add(PhaseTimes.StarLoad, stopwatch.Elapsed);
            await pendingTimes.RecordAsync(batchId, times.TakeSeconds(), cancellationToken);
            logger.LogInformation("Batch {BatchId} {Status}{Problems}; {Repaired} staged row(s) with text repaired. Star load: {Files} file(s) in; {Changes}.",
                batchId, outcome!.Status, outcome.Problems is null ? "" : ": " + outcome.Problems, outcome.RepairedTextRows, outcome.Star.FilesTakenIn,
                StarChanges.Describe(outcome.Star));
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the claim goes back at once (with a fresh token), uncounted, for any instance to run the load.
            logger.LogWarning("Batch {BatchId}: the star load was interrupted by the stop; releasing its claim.", batchId);
            await ReleaseAsync(batchId, claim.Owner);
            throw;
        }
        catch (Exception exception) when (TransientFaults.IsDatabaseOutage(exception))
        {
            logger.LogWarning("Batch {BatchId}: the star load did not complete ({Reason}); releasing its claim.", batchId,
                TransientFaults.Describe(exception));
            await ReleaseAsync(batchId, claim.Owner);
            return false;
        }
        catch (Exception exception)
        {
            var reason = exception is OperationCanceledException
                ? $"it ran past its deadline of {settings.StarLoadDeadlineSeconds} s"
                : TransientFaults.Describe(exception);
            await CountFailureAsync(batchId, claim.Owner, reason);
            return false;
        }
    }

    private async Task CountFailureAsync(long batchId, Guid owner, string reason)
    {
        var settings = options.Value;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var counted = await claims.CountFailureAsync(batchId, owner, reason, settings.MaxStarLoadAttempts,
                TimeSpan.FromSeconds(retryOptions.Value.FirstDelaySeconds), TimeSpan.FromSeconds(retryOptions.Value.MaxDelaySeconds), timeout.Token);
            switch (counted)
            {
                case null:
                    logger.LogWarning("Batch {BatchId}: the star load failed ({Reason}), and its claim had been taken over.", batchId, reason);
                    break;
                case { Failed: true } failed:
                    logger.LogError("Batch {BatchId}: the star load failed {Attempts} times; the batch and its unloaded files are failed: {Reason}",
                        batchId, failed.Attempts, reason);
                    break;
                case var attempts:
                    logger.LogWarning("Batch {BatchId}: the star load failed (attempt {Attempts} of {Max}); it is retried later: {Reason}",
                        batchId, attempts.Value.Attempts, settings.MaxStarLoadAttempts, reason);
                    break;
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogWarning("Batch {BatchId}: the star load failed ({Reason}) and could not be counted ({Error}); releasing its claim.",
                batchId, reason, TransientFaults.Describe(exception));
            await ReleaseAsync(batchId, owner);
        }
    }

    /// <summary>
    /// Gives the claim back within a few seconds; if the database cannot be reached, keeps trying in the background
    /// until this instance stops, after which the claim's age lets another instance take it over.
    /// </summary>
    private async Task ReleaseAsync(long batchId, Guid owner)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await claims.ReleaseAsync(batchId, owner, timeout.Token);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            _ = Task.Run(() => retry.WaitForAsync($"the database, to release the star-load claim of batch {batchId}",
                async token => await claims.ReleaseAsync(batchId, owner, token), lifetime.ApplicationStopped));
        }
    }
}
