using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Ingest.Arrivals;

/// <summary>
/// Notification mode's work: receives S3 event notifications from the arrivals queue into an <see cref="ArrivalWindow"/>
/// and, when it is due, records its new files in one batch and publishes them exactly as the scan does — under the
/// scan lock, skipping the files the scan's own check knows (loaded, queued in an open batch, failed for good), so a
/// file version is in one batch whichever path saw it first. The messages are deleted only after that: a crash in
/// between receives them again, and the check skips what was recorded.
/// </summary>
public sealed class ArrivalsConsumer(
    IAmazonSQS sqs, BatchPublisher publisher, BatchManifests batches, ListingBatches listings,
    IOptions<PipelineOptions> pipeline, IOptions<IngestOptions> ingest, TimeProvider time, ILogger<ArrivalsConsumer> logger)
{
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ScanLockRetry = TimeSpan.FromSeconds(1);

    private readonly ArrivalWindow _window = new(ingest.Value.ArrivalBatchMaxFiles, TimeSpan.FromSeconds(ingest.Value.ArrivalBatchWindowSeconds));
    private readonly ArrivalScope _scope = new(pipeline.Value.Bucket, pipeline.Value.Prefixes);
    private readonly NewestSequencers _recorded = new();
    private string? _queueUrl;

    public async Task<string> FindQueueAsync(CancellationToken cancellationToken) =>
        _queueUrl ??= (await sqs.GetQueueUrlAsync(ingest.Value.ArrivalsQueueName, cancellationToken)).QueueUrl;

    /// <summary>One step: records the window when it is due, else receives once (waiting at most until it is due).</summary>
    public async Task StepAsync(CancellationToken cancellationToken)
    {
        var queueUrl = await FindQueueAsync(cancellationToken);
        if (_window.IsDue(time.GetUtcNow()))
        {
            if (!await TryRecordAsync(queueUrl, cancellationToken))
            {
                await Task.Delay(ScanLockRetry, time, cancellationToken);
            }
            return;
        }
        var wait = _window.TimeLeft(time.GetUtcNow(), LongestPoll);
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = (int)Math.Ceiling(wait.TotalSeconds),
            // Held until the window is recorded, with room for a scan holding the lock meanwhile.
            VisibilityTimeout = ingest.Value.ArrivalBatchWindowSeconds + 300,
        }, cancellationToken);
        foreach (var message in response.Messages ?? [])
        {
            var arrivals = S3EventMessage.Parse(message.Body);
            var accepted = arrivals.Where(_scope.Contains).ToList();
            if (arrivals.Count == 0)
            {
                logger.LogDebug("Arrival message {MessageId} names no created object (a test event, another event, or no S3 event); it is deleted.", message.MessageId);
            }
            _window.Add(message.ReceiptHandle, accepted, time.GetUtcNow());
        }
    }

    /// <returns>False when a scan holds the lock (the window is kept and tried again).</returns>
    private async Task<bool> TryRecordAsync(string queueUrl, CancellationToken cancellationToken)
    {
        await using var scanLock = await batches.TryLockScanAsync(cancellationToken);
        if (scanLock is null)
        {
            return false;
        }
        await publisher.ResumeAsync(scanLock, cancellationToken);
        var bucket = pipeline.Value.Bucket;
        var files = _window.Files
            .Where(arrival => !_recorded.IsSuperseded(arrival))
            .Select(arrival => new ManifestFile(S3Keys.Of(arrival.Bucket, arrival.Key), arrival.ETag, arrival.Size, arrival.EventTime))
            .ToList();
        var source = $"s3-events://{bucket}/{{{string.Join(",", pipeline.Value.Prefixes)}}}";
        // A window whose recording died before its batch was sealed is continued here; any other interrupted listing's
        // batch is sealed as it is (the next scan finds the rest).
        var (continued, _) = await listings.ContinueInterruptedAsync(scanLock, source, cancellationToken);
        using var batch = new ScanBatch(listings, publisher, source, _window.OpenedAt ?? time.GetUtcNow(), continued);
        if (files.Count > 0)
        {
            var known = await batches.FindKnownAsync(files, includeFailed: true, cancellationToken);
            var fresh = files.Where(f => !known.Contains((f.Key, f.ETag))).ToList();
            if (fresh.Count > 0)
            {
                await batch.AddAsync(fresh, cancellationToken);
            }
        }
        await batch.SealAsync(files.Count, cancellationToken);
        _recorded.Remember(_window.Files);
        var refused = await MessageSettlement.DeleteAsync(sqs, queueUrl, _window.ReceiptHandles, cancellationToken);
        if (refused.Count > 0)
        {
            // Received again later, they name files recorded now: the check skips them.
            logger.LogWarning("SQS did not delete {Count} arrival message(s): {Code}.", refused.Count, refused[0].Code);
        }
        if (batch.BatchId is { } batchId)
        {
            logger.LogInformation("Batch {BatchId}: published {New} new file(s) of {Arrived} arrived.", batchId, batch.NewFiles, files.Count);
        }
        _window.Clear();
        return true;
    }
}
