using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;

namespace Sparkify.Ingest.Arrivals;

/// <summary>
/// Notification mode's hosted loop: finds the arrivals queue (waiting it out at start), then consumes it until stopped.
/// A failed step (database, S3 or SQS unreachable) is retried with backoff; the messages of the window in hand stay
/// in the queue until recorded, so nothing is lost by a failure or a crash.
/// </summary>
public sealed class ArrivalsWorker(
    ArrivalsConsumer consumer, WorkerHeartbeat heartbeat, DependencyRetry retry, WorkerExit exit,
    IOptions<IngestOptions> options, ILogger<ArrivalsWorker> logger) : WorkerService(exit)
{
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.ArrivalsQueueName))
        {
            throw new FatalWorkerException("notification mode needs Sparkify:Ingest:ArrivalsQueueName (the queue of the bucket's events)",
                WorkerExitCodes.Misconfigured);
        }
        var queueUrl = await retry.WaitForAsync("the arrivals queue", consumer.FindQueueAsync, stoppingToken);
        logger.LogInformation("Consuming S3 event notifications from {Queue}.", queueUrl);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            heartbeat.Beat();
            try
            {
                using var alive = heartbeat.KeepAlive();
                await consumer.StepAsync(stoppingToken);
                failures = 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                var delay = retry.BackoffAfter(failures);
                logger.LogError(exception, "Consuming arrivals failed ({Failures} in a row); retrying in {Delay}.", failures, delay);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }
}
