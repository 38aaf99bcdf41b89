using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;

namespace Sparkify.Ingest;

/// <summary>
/// Runs the ingestor once (then stops the host) or every interval in watch mode. A scan that fails because the
/// database, S3 or SQS is unreachable is retried with backoff: forever in watch mode, a few times in once mode, after
/// which the worker gives up with a non-zero exit code. Retrying is safe: a scan (or a replay) first resumes, under the
/// same scan lock, a batch an interrupted Ingest left unpublished, and skips files already queued or loaded.
/// </summary>
public sealed class IngestWorker(
    IngestScan ingestor, DeadLetterReplayer replayer, DeadLetterQueue deadLetters, WorkerHeartbeat heartbeat, DependencyRetry retry, WorkerExit exit,
    IOptions<PipelineOptions> pipeline,
    IOptions<IngestOptions> options, IHostApplicationLifetime lifetime, ILogger<IngestWorker> logger) : WorkerService(exit)
{
    public const int OnceModeAttempts = 6;

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var backfill = settings.BackfillPrefixes.Count > 0;
        var prefixes = backfill ? settings.BackfillPrefixes : pipeline.Value.Prefixes;
        var replay = settings.Mode == IngestMode.ReplayDeadLetters;
        var once = settings.Mode != IngestMode.Watch || backfill;
        if (backfill)
        {
            logger.LogInformation("Backfill of {Prefixes}.", string.Join(", ", prefixes));
        }
        if (replay)
        {
            // The queue to replay is the file queue's RedrivePolicy target: found at start, or the start is refused.
            var deadLetterQueue = await retry.WaitForAsync("the dead-letter queue", deadLetters.FindAsync, stoppingToken);
            logger.LogInformation("Replaying the dead-letter queue {DeadLetterQueue} of {Queue}.", deadLetterQueue.Name, pipeline.Value.QueueName);
        }
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            heartbeat.Beat();
            try
            {
                using var alive = heartbeat.KeepAlive();
                if (replay)
                {
                    await replayer.ReplayAsync(stoppingToken);
                }
                else
                {
                    await ingestor.ScanOnceAsync(prefixes, stoppingToken, retryFailed: backfill);
                }
                failures = 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                if (once && failures >= OnceModeAttempts)
                {
                    throw new FatalWorkerException(
                        $"the scan failed {failures} times in a row; last: {TransientFaults.Describe(exception)}", WorkerExitCodes.GaveUp);
                }
                var delay = retry.BackoffAfter(failures);
                logger.LogError(exception, "Scan failed ({Failures} in a row); retrying in {Delay}.", failures, delay);
                await WaitBeatingAsync(delay, stoppingToken);
                continue;
            }
            if (once)
            {
                lifetime.StopApplication();
                return;
            }
            await WaitBeatingAsync(TimeSpan.FromSeconds(settings.WatchIntervalSeconds), stoppingToken);
        }
    }

    /// <summary>Waiting is being alive: the heartbeat goes on between scans.</summary>
    private async Task WaitBeatingAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        using var alive = heartbeat.KeepAlive();
        await Task.Delay(delay, stoppingToken);
    }
}
