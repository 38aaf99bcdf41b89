using Microsoft.Extensions.Options;
using Sparkify.Pipeline;

namespace Sparkify.Ingest;

/// <summary>
/// Runs the ingestor once (then stops the host) or every interval in watch mode. A scan that fails because the
/// database, S3 or SQS is unreachable is retried with backoff: forever in watch mode, a few times in once mode.
/// Retrying is safe: a scan resumes the batch it left unpublished and skips files already queued or loaded.
/// </summary>
public sealed class IngestWorker(
    Ingestor ingestor, DeadLetterReplayer replayer, IOptions<PipelineOptions> pipeline, IOptions<IngestOptions> options,
    IHostApplicationLifetime lifetime, ILogger<IngestWorker> logger) : BackgroundService
{
    private const int OnceModeAttempts = 6;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ingestor.ResumeAsync(stoppingToken);
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
                    throw;
                }
                var delay = RetryBackoff.After(failures);
                logger.LogError(exception, "Scan failed ({Failures} in a row); retrying in {Delay}.", failures, delay);
                await Task.Delay(delay, stoppingToken);
                continue;
            }
            if (once)
            {
                lifetime.StopApplication();
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(settings.WatchIntervalSeconds), stoppingToken);
        }
    }
}
