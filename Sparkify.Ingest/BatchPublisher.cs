using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Ingest;

/// <summary>Publishes one SQS message per file (SendMessageBatch, 10 a call, 4 calls at a time) with the trace context, recording progress.</summary>
public sealed class BatchPublisher(
    IAmazonSQS sqs, BatchManifests batches, IOptions<PipelineOptions> pipeline, IOptions<IngestOptions> ingest, ILogger<BatchPublisher> logger)
{
    private string? _queueUrl;
    private bool _queueStartedEmpty = ingest.Value.QueueStartsEmpty;

    /// <summary>
    /// Publishes the files of open batches whose publication was interrupted (Ingest stopped mid-batch) — and, the first
    /// time after a start with <see cref="IngestOptions.QueueStartsEmpty"/>, every file still queued in an open batch.
    /// A batch whose listing was interrupted is continued by the next scan (<see cref="ListingBatches"/>). Only the holder of the scan lock does this: another Ingest could otherwise be publishing the same files at the
    /// same moment.
    /// </summary>
    /// <returns>How many files were published.</returns>
    public async Task<int> ResumeAsync(ScanLock held, CancellationToken cancellationToken)
    {
        var everyQueued = _queueStartedEmpty;
        var unpublished = await batches.FindUnpublishedAsync(held, includePublished: everyQueued, cancellationToken);
        foreach (var batch in unpublished.GroupBy(u => u.BatchId))
        {
            logger.LogWarning(everyQueued
                    ? "Batch {BatchId}: publishing {Count} file(s) again: their messages went with the queue of an earlier run."
                    : "Batch {BatchId}: publishing {Count} file(s) whose messages were not sent before.",
                batch.Key, batch.Count());
            await PublishAsync(batch.Key, [.. batch.Select(u => u.File)], cancellationToken);
        }
        _queueStartedEmpty = false;
        return unpublished.Count;
    }

    public async Task PublishAsync(long batchId, IReadOnlyList<ManifestFile> files, CancellationToken cancellationToken)
    {
        _queueUrl ??= (await sqs.GetQueueUrlAsync(pipeline.Value.QueueName, cancellationToken)).QueueUrl;
        foreach (var checkpoint in files.Chunk(ingest.Value.PublishCheckpointEvery))
        {
            // Calls of 10 messages, a few at a time: the order of messages does not matter, round trips do.
            await Parallel.ForEachAsync(checkpoint.Chunk(10), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                async (call, token) => await SendAsync(batchId, call, token));
            await batches.MarkPublishedAsync(batchId, checkpoint, cancellationToken);
        }
    }

    private async Task SendAsync(long batchId, ManifestFile[] files, CancellationToken cancellationToken)
    {
        var entries = files.Select((file, i) => new SendMessageBatchRequestEntry
        {
            Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            MessageBody = FileMessage.Of(batchId, file).ToJson(),
            MessageAttributes = TraceContext.Inject(System.Diagnostics.Activity.Current),
        }).ToList();
        var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = _queueUrl, Entries = entries }, cancellationToken);
        if (response.Failed is { Count: > 0 } failed)
        {
            throw new InvalidOperationException(
                $"SQS refused {failed.Count} message(s) of batch {batchId}: {failed[0].Code} {failed[0].Message}");
        }
        PipelineTelemetry.FilesPublished.Add(files.Length);
    }
}
