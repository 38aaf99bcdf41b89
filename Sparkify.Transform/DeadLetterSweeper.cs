using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Transform;

/// <summary>
/// The bookkeeping converges whatever SQS does. A file still <c>queued</c> long after its message's last receive
/// could be due may have lost its message without any Transform settling it: dead-lettered (a worker died, or lost
/// the database, on the last receive) or expired. Every <see cref="TransformOptions.DeadLetterSweepSeconds"/> such
/// files are looked for in the dead-letter queue (and by age, for expiry) and their message is put back on the queue
/// — at most <see cref="MaxRequeues"/> times; after that the file is failed in its batch, its message left in the
/// dead-letter queue for a replay, so that a file that kills its worker cannot loop forever and its batch finishes.
/// </summary>
public sealed class DeadLetterSweeper(
    IAmazonSQS sqs, BatchManifests batches, QueueFacts queue, DeadLetterQueue deadLetters, IOptions<TransformOptions> options,
    ILogger<DeadLetterSweeper> logger)
{
    public const int MaxRequeues = 2;
    private const int MaxCandidates = 1000;
    private const int MaxPages = 100;

    private long _nextSweep;
    private string? _deadLetterQueueUrl;

    /// <summary>Sweeps when the interval has passed since the last sweep of this instance; otherwise returns at once.</summary>
    public async Task SweepIfDueAsync(string queueUrl, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + options.Value.DeadLetterSweepSeconds * 1000L, due) != due)
        {
            return;
        }
        await SweepAsync(queueUrl, cancellationToken);
    }

    public async Task<int> SweepAsync(string queueUrl, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Before this, a message may still be waiting for one of its receives.
        var lastReceiveDue = TimeSpan.FromSeconds((long)settings.VisibilityTimeoutSeconds * settings.MaxReceives + settings.VisibilityTimeoutSeconds);
        var candidates = (await batches.FindLongQueuedAsync(lastReceiveDue, MaxCandidates, cancellationToken))
            .ToDictionary(c => (c.BatchId, c.File.Key, c.File.ETag));
        if (candidates.Count == 0)
        {
            return 0;
        }

        var settled = 0;
        _deadLetterQueueUrl ??= (await deadLetters.FindAsync(cancellationToken)).Url;
        for (var page = 0; page < MaxPages && candidates.Count > 0; page++)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = _deadLetterQueueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 0, VisibilityTimeout = 30, MessageAttributeNames = ["All"],
            }, cancellationToken);
            if (response.Messages is not { Count: > 0 } messages)
            {
                break;
            }
            foreach (var message in messages)
            {
                FileMessage file;
                try
                {
                    file = FileMessage.Parse(message.Body);
                }
                catch (FormatException)
                {
                    continue;
                }
                if (candidates.Remove((file.BatchId, file.FileKey, file.ETag), out var candidate))
                {
                    await RequeueOrFailAsync(queueUrl, candidate.BatchId, candidate.File, candidate.Requeues, message.Body, message.MessageAttributes,
                        "its message reached the dead-letter queue", message.ReceiptHandle, cancellationToken);
                    settled++;
                }
            }
        }

        // A message older than the queue's retention period no longer exists anywhere.
        var expiredBefore = DateTime.UtcNow - TimeSpan.FromSeconds(queue.MessageRetentionSeconds);
        foreach (var candidate in candidates.Values.Where(c => c.PublishedAt < expiredBefore))
        {
            var body = FileMessage.Of(candidate.BatchId, candidate.File).ToJson();
            await RequeueOrFailAsync(queueUrl, candidate.BatchId, candidate.File, candidate.Requeues, body, null, "its message expired", null, cancellationToken);
            settled++;
        }
        return settled;
    }

    private async Task RequeueOrFailAsync(string queueUrl, long batchId, ManifestFile file, int requeues, string body,
        Dictionary<string, MessageAttributeValue>? attributes, string what, string? deadReceiptHandle, CancellationToken cancellationToken)
    {
        if (requeues >= MaxRequeues)
        {
            logger.LogError("Batch {BatchId}: {Key} was never settled and {What} again after {Requeues} requeue(s); it is failed, the message left for a dead-letter replay.",
                batchId, file.Key, what, requeues);
            await batches.MarkFailedAsync(batchId, file,
                $"{what} {requeues + 1} times without the file being settled (a worker stopped or lost its database on the last receive each time); " +
                "replay the dead-letter queue once the cause is fixed", cancellationToken);
            return;
        }
        logger.LogWarning("Batch {BatchId}: {Key} was never settled and {What}; queued again ({Requeue} of {Max}).",
            batchId, file.Key, what, requeues + 1, MaxRequeues);
        // Counted before it is sent: once sent, the file can be staged (and no longer queued) before a later count
        // would land, and the requeue would go uncounted. A send that fails after the count only spends one requeue.
        await batches.MarkRequeuedAsync(batchId, file, cancellationToken);
        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = body, MessageAttributes = attributes }, cancellationToken);
        if (deadReceiptHandle is not null)
        {
            await sqs.DeleteMessageAsync(_deadLetterQueueUrl, deadReceiptHandle, cancellationToken);
        }
    }
}
