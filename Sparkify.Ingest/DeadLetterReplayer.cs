using System.Net;
using Amazon.S3;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Ingest;

/// <summary>
/// Replays the dead-letter queue once its files (or the loader) have been fixed: each dead message names a file;
/// the file's current version (HEAD: ETag and size now) is queued in a new batch unless it is loaded already, and
/// the dead message is deleted only once that is done. A message that is not a file message, or whose
/// object is gone, stays in the dead-letter queue and is reported.
/// </summary>
public sealed class DeadLetterReplayer(
    IAmazonSQS sqs, IAmazonS3 s3, BatchManifests batches, BatchPublisher publisher,
    IOptions<PipelineOptions> pipeline, ILogger<DeadLetterReplayer> logger)
{
    /// <returns>The batch the replayed files were queued in, or null when there was nothing to queue.</returns>
    public async Task<long?> ReplayAsync(CancellationToken cancellationToken)
    {
        // A replay opens a batch and publishes, as a scan does: one at a time, under the scan lock, which also covers
        // resuming what an interrupted Ingest left unpublished.
        await using var scanLock = await batches.TryLockScanAsync(cancellationToken)
                                   ?? throw new ScanInProgressException("another Ingest is scanning; the dead-letter replay waits for its turn");
        await publisher.ResumeAsync(scanLock, cancellationToken);
        using var activity = PipelineTelemetry.Source.StartActivity("dead-letter replay");
        var deadLetterQueueUrl = (await sqs.GetQueueUrlAsync(pipeline.Value.DeadLetterQueueName, cancellationToken)).QueueUrl;
        var dead = await ReceiveAllAsync(deadLetterQueueUrl, cancellationToken);
        var replayable = new List<(Message Message, ManifestFile Current)>();
        foreach (var message in dead)
        {
            if (await CurrentVersionAsync(message, cancellationToken) is { } current)
            {
                replayable.Add((message, current));
            }
        }

        var files = replayable.Select(r => r.Current).DistinctBy(f => (f.Key, f.ETag)).ToList();
        // Only a loaded version needs nothing more. A file still "queued" in an open batch is not in flight: its message
        // is the dead one here. It is queued in the replay's batch, and failed in the batch that waited for it.
        var loaded = await batches.FindLoadedAsync(files, cancellationToken);
        var fresh = files.Where(f => !loaded.Contains((f.Key, f.ETag))).ToList();
        long? batchId = null;
        if (fresh.Count > 0)
        {
            batchId = await batches.OpenAsync($"dead-letter replay of {pipeline.Value.DeadLetterQueueName}", fresh, activity?.Id, cancellationToken);
            await publisher.PublishAsync(batchId.Value, fresh, cancellationToken);
            await batches.MarkDeadLetteredElsewhereAsync(batchId.Value, fresh, cancellationToken);
        }
        var undeleted = await MessageDeleter.DeleteAsync(sqs, deadLetterQueueUrl, replayable.Select(r => r.Message.ReceiptHandle), cancellationToken);
        if (undeleted.Count > 0)
        {
            // Harmless: replayed again later, their files are then loaded or in flight and only deleted.
            logger.LogWarning("{Count} dead message(s) could not be deleted ({Code}).", undeleted.Count, undeleted[0].Code);
        }
        logger.LogInformation(
            "Dead-letter replay: {Dead} message(s); {Queued} file(s) queued in batch {BatchId}, {Known} already loaded, {Left} left in the queue.",
            dead.Count, fresh.Count, batchId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            files.Count - fresh.Count, dead.Count - replayable.Count);
        return batchId;
    }

    /// <summary>Receives until the queue is empty, keeping the messages invisible meanwhile (they are deleted at the end).</summary>
    private async Task<List<Message>> ReceiveAllAsync(string queueUrl, CancellationToken cancellationToken)
    {
        var messages = new Dictionary<string, Message>();
        while (true)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, VisibilityTimeout = 900,
            }, cancellationToken);
            if (response.Messages is not { Count: > 0 } page)
            {
                return [.. messages.Values];
            }
            foreach (var message in page)
            {
                messages.TryAdd(message.MessageId, message);
            }
        }
    }

    private async Task<ManifestFile?> CurrentVersionAsync(Message message, CancellationToken cancellationToken)
    {
        FileMessage file;
        try
        {
            file = FileMessage.Parse(message.Body);
        }
        catch (FormatException)
        {
            logger.LogError("Dead message {MessageId} is not a file message; it stays in the dead-letter queue.", message.MessageId);
            return null;
        }
        try
        {
            var head = await s3.GetObjectMetadataAsync(file.Bucket, file.ObjectKey, cancellationToken);
            return new ManifestFile(file.FileKey, S3Keys.BareETag(head.ETag), head.ContentLength, S3FileScanner.ToOffset(head.LastModified));
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            logger.LogError("{Key} of dead message {MessageId} no longer exists; the message stays in the dead-letter queue.", file.FileKey, message.MessageId);
            return null;
        }
    }
}
