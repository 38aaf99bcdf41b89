using System.Diagnostics;
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
/// Replays the dead-letter queue once its files (or the loader) have been fixed. Each dead message names one file of
/// one batch, in one version; the replay acts on exactly that row: it is settled in its batch (staged when that
/// version is loaded already, else failed, saying why), so the batch waiting for it can finish; and the file's current
/// version (a HEAD) is queued in the replay's batch unless it is loaded or in flight already. The dead messages are
/// deleted once that is committed and published. A message that is not a file message, names another bucket, or whose
/// object is gone (HEAD: 404, or 403 as AWS answers a role without ListBucket on the key) stays in the dead-letter
/// queue and is reported, one line each; the rest is replayed.
/// </summary>
public sealed class DeadLetterReplayer(
    IAmazonSQS sqs, IAmazonS3 s3, BatchManifests batches, DeadLetterReplays replays, BatchPublisher publisher, DeadLetterQueue deadLetters,
    IOptions<PipelineOptions> pipeline, ILogger<DeadLetterReplayer> logger)
{
    /// <returns>The batch the replayed files were queued in, or null when there was nothing to queue.</returns>
    /// <exception cref="ScanInProgressException">Another Ingest holds the scan lock; try again.</exception>
    public async Task<long?> ReplayAsync(CancellationToken cancellationToken)
    {
        // A replay opens a batch and publishes, as a scan does: one at a time, under the scan lock, which also covers
        // resuming what an interrupted Ingest left unpublished.
        await using var scanLock = await batches.TryLockScanAsync(cancellationToken)
                                   ?? throw new ScanInProgressException("another Ingest is scanning; the dead-letter replay waits for its turn");
        await publisher.ResumeAsync(scanLock, cancellationToken);
        using var activity = PipelineTelemetry.Source.StartActivity("dead-letter replay");
        var deadLetterQueue = await deadLetters.FindAsync(cancellationToken);
        var received = await ReceiveAllAsync(deadLetterQueue.Url, cancellationToken);
        try
        {
            return await ReplayReceivedAsync(deadLetterQueue, received, activity, cancellationToken);
        }
        catch
        {
            // Received with a long visibility: a retry right after this failure must find them again.
            await HandBackAsync(deadLetterQueue.Url, received);
            throw;
        }
    }

    private async Task<long?> ReplayReceivedAsync(DeadLetterQueue.Address deadLetterQueue, List<Message> received, Activity? activity,
        CancellationToken cancellationToken)
    {
        var dead = new List<(Message Message, FileMessage File)>();
        foreach (var message in received)
        {
            if (Ours(message) is { } file)
            {
                dead.Add((message, file));
            }
        }

        // What the bucket holds now under each key, one HEAD per key; null: the object is gone.
        var current = new Dictionary<string, ManifestFile?>(StringComparer.Ordinal);
        foreach (var file in dead.Select(d => d.File).DistinctBy(f => f.FileKey))
        {
            current[file.FileKey] = await CurrentVersionAsync(file, cancellationToken);
        }
        var deadFiles = dead.Select(d => new DeadLetteredFile(d.File.BatchId, d.File.ManifestFile)).DistinctBy(d => (d.BatchId, d.File.Key, d.File.ETag)).ToList();
        var present = current.Values.OfType<ManifestFile>().ToList();
        var loaded = await batches.FindLoadedAsync([.. present, .. deadFiles.Select(d => d.File)], cancellationToken);
        var needNoReplay = await replays.FindLoadedOrLiveAsync(present, deadFiles, cancellationToken);
        var queue = present.Where(f => !needNoReplay.Contains((f.Key, f.ETag))).ToList();
        var settlements = deadFiles.Select(d => Settle(d, current[d.File.Key], loaded, queue)).ToList();

        var batchId = await replays.OpenAndSettleAsync($"dead-letter replay of {deadLetterQueue.Name}", queue, settlements, activity?.Id,
            cancellationToken);
        if (batchId is { } replayBatch)
        {
            activity?.SetTag("sparkify.batch.id", replayBatch);
            await publisher.PublishAsync(replayBatch, queue, cancellationToken);
        }
        var settled = dead.Where(d => current[d.File.FileKey] is not null).ToList();
        var undeleted = await MessageSettlement.DeleteAsync(sqs, deadLetterQueue.Url, settled.Select(d => d.Message.ReceiptHandle), cancellationToken);
        if (undeleted.Count > 0)
        {
            // Harmless: replayed again later, their rows are settled already and their files loaded or in flight.
            logger.LogWarning("{Count} dead message(s) could not be deleted ({Code}).", undeleted.Count, undeleted[0].Code);
        }
        logger.LogInformation(
            "Dead-letter replay: {Dead} message(s); {Queued} file(s) queued in batch {BatchId}; {Settled} dead file(s) settled in their own batches " +
            "({Loaded} loaded already); {Left} message(s) left in the dead-letter queue.",
            received.Count, queue.Count, batchId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            settlements.Count, settlements.Count(s => s.Loaded), received.Count - settled.Count);
        return batchId;
    }

    /// <summary>The file message of a dead message of this pipeline, or null (reported; the message stays).</summary>
    private FileMessage? Ours(Message message)
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
        if (!string.Equals(file.Bucket, pipeline.Value.Bucket, StringComparison.Ordinal))
        {
            logger.LogError("Dead message {MessageId} names the bucket {Bucket}, not the configured bucket {Configured}; it stays in the dead-letter queue.",
                message.MessageId, file.Bucket, pipeline.Value.Bucket);
            return null;
        }
        return file;
    }

    /// <summary>What the dead message's own row becomes, and why.</summary>
    private static DeadLetterSettlement Settle(DeadLetteredFile dead, ManifestFile? current, HashSet<(string Key, string ETag)> loaded,
        List<ManifestFile> queue)
    {
        const string died = "its message was dead-lettered";
        if (loaded.Contains((dead.File.Key, dead.File.ETag)))
        {
            return new DeadLetterSettlement(dead, Loaded: true, "");
        }
        if (current is null)
        {
            return new DeadLetterSettlement(dead, false, $"{died}, and the object is gone from the bucket; the message stays in the dead-letter queue");
        }
        var queued = queue.Contains(current);
        var reason = current.ETag == dead.File.ETag
            ? queued
                ? $"{died}; the dead-letter replay queued it again in batch {DeadLetterReplays.ReplayBatch}"
                : $"{died}; the same version is queued in another open batch, whose message is live"
            : $"{died}, and the object has changed since; its current version " + (queued
                ? $"is queued in batch {DeadLetterReplays.ReplayBatch}"
                : loaded.Contains((current.Key, current.ETag)) ? "is loaded already" : "is queued in another open batch");
        return new DeadLetterSettlement(dead, false, reason);
    }

    /// <summary>The object's version now, or null when it is gone (404; 403 on AWS without ListBucket on the key): one line says so.</summary>
    private async Task<ManifestFile?> CurrentVersionAsync(FileMessage file, CancellationToken cancellationToken)
    {
        try
        {
            var head = await s3.GetObjectMetadataAsync(file.Bucket, file.ObjectKey, cancellationToken);
            return new ManifestFile(file.FileKey, S3Keys.BareETag(head.ETag), head.ContentLength, S3FileScanner.ToOffset(head.LastModified));
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            logger.LogError(
                "{Key} (dead message of batch {BatchId}): HEAD answered {Status} {Code}, the object is gone (AWS answers 403 for a deleted object " +
                "without ListBucket on its key); the file is failed in its batch, its message stays in the dead-letter queue.",
                file.FileKey, file.BatchId, (int)exception.StatusCode, exception.StatusCode);
            return null;
        }
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

    /// <summary>Makes the received messages visible again at once (best effort: otherwise they return after 15 minutes).</summary>
    private async Task HandBackAsync(string queueUrl, List<Message> messages)
    {
        if (await MessageSettlement.TryHandBackAsync(sqs, queueUrl, [.. messages.Select(m => m.ReceiptHandle)], TimeSpan.FromSeconds(10)) is { } reason)
        {
            logger.LogWarning("Could not hand {Count} dead message(s) back ({Reason}); they are visible again after 15 minutes.", messages.Count, reason);
        }
    }
}
