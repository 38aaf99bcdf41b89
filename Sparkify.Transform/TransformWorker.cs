using System.Diagnostics;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Transform;

/// <summary>Several long-polling receivers feeding the <see cref="FileMessageProcessor"/>.</summary>
public sealed class TransformWorker(
    IAmazonSQS sqs, FileMessageProcessor processor, PipelineBatches batches,
    IOptions<PipelineOptions> pipeline, IOptions<TransformOptions> options, ILogger<TransformWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queueUrl = (await sqs.GetQueueUrlAsync(pipeline.Value.QueueName, stoppingToken)).QueueUrl;
        logger.LogInformation("Receiving from {QueueUrl} with {Receivers} receiver(s).", queueUrl, options.Value.Receivers);
        await Task.WhenAll(Enumerable.Range(0, options.Value.Receivers).Select(_ => ReceiveLoopAsync(queueUrl, stoppingToken)));
    }

    private async Task ReceiveLoopAsync(string queueUrl, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (messages, receiveTime) = await ReceiveGroupAsync(queueUrl, stoppingToken);
                if (messages.Count > 0)
                {
                    await processor.ProcessAsync(queueUrl, messages, receiveTime, stoppingToken);
                }
                else
                {
                    await FinishSettledBatchesAsync(stoppingToken);
                    await processor.FlushPendingTimesAsync(stoppingToken);
                }
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database or the queue is unreachable: back off (up to 30 s) and go on; nothing is acknowledged meanwhile.
                failures++;
                var delay = RetryBackoff.After(failures);
                logger.LogError(exception, "Receive loop failed ({Failures} in a row); retrying in {Delay}.", failures, delay);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Long-polls for the first page, then takes further pages without waiting, a few calls at a time, up to
    /// MaxFilesPerGroup or until a page comes back short. The time returned is that of the calls that brought
    /// messages (an empty long poll is idle time, not work).
    /// </summary>
    private async Task<(List<Message> Messages, TimeSpan ReceiveTime)> ReceiveGroupAsync(string queueUrl, CancellationToken stoppingToken)
    {
        const int pageSize = 10, parallelPages = 4;
        var settings = options.Value;
        var started = Stopwatch.GetTimestamp();
        var messages = await ReceivePageAsync(queueUrl, settings.WaitTimeSeconds, stoppingToken);
        var receiveTime = messages.Count > 0 ? Stopwatch.GetElapsedTime(started) : TimeSpan.Zero;
        var full = messages.Count == pageSize;
        while (full && messages.Count + pageSize <= settings.MaxFilesPerGroup)
        {
            started = Stopwatch.GetTimestamp();
            var calls = Math.Min(parallelPages, (settings.MaxFilesPerGroup - messages.Count) / pageSize);
            var pages = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => ReceivePageAsync(queueUrl, 0, stoppingToken)));
            receiveTime += Stopwatch.GetElapsedTime(started);
            foreach (var page in pages)
            {
                messages.AddRange(page);
                full &= page.Count == pageSize;
            }
        }
        return (messages, receiveTime);
    }

    private async Task<List<Message>> ReceivePageAsync(string queueUrl, int waitSeconds, CancellationToken stoppingToken)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = waitSeconds,
            VisibilityTimeout = options.Value.VisibilityTimeoutSeconds,
            MessageSystemAttributeNames = ["ApproximateReceiveCount", "SentTimestamp"],
            MessageAttributeNames = ["All"],
        }, stoppingToken);
        // The AWS SDK returns null, not an empty list, when nothing arrived.
        return response.Messages ?? [];
    }

    /// <summary>
    /// A batch whose last file settled while its finisher crashed — before claiming, or after claiming and before
    /// committing — is finished by whoever is idle next.
    /// </summary>
    private async Task FinishSettledBatchesAsync(CancellationToken stoppingToken)
    {
        var takeOver = TimeSpan.FromSeconds(options.Value.StarLoadTakeoverSeconds);
        foreach (var batchId in await batches.FindSettledOpenAsync(takeOver, stoppingToken))
        {
            await processor.TryFinishBatchAsync(batchId, stoppingToken);
        }
    }
}
