using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Ingest;

/// <summary>
/// One scan: list the files, keep those neither loaded nor in flight, open a batch for them and publish it. A scan that
/// opens a batch is the root of the pipeline trace (staging and star load join it); one that finds nothing makes no trace.
/// </summary>
public sealed class IngestScan(
    S3FileScanner scanner, BatchPublisher publisher, BatchManifests batches,
    IOptions<PipelineOptions> pipeline, ILogger<IngestScan> logger)
{
    /// <summary>
    /// Publishes the files of open batches whose publication was interrupted (Ingest stopped mid-batch), under the scan
    /// lock: while another Ingest holds it, those files may be the ones it is publishing, and nothing is done.
    /// </summary>
    public async Task<int> ResumeAsync(CancellationToken cancellationToken)
    {
        await using var scanLock = await batches.TryLockScanAsync(cancellationToken);
        if (scanLock is null)
        {
            logger.LogWarning("Another Ingest is scanning or publishing; nothing is resumed by this one.");
            return 0;
        }
        return await publisher.ResumeAsync(scanLock, cancellationToken);
    }

    /// <summary>
    /// Under the scan lock, publishes what an interrupted Ingest left unpublished, then scans. A scan that overlaps
    /// another Ingest's is skipped whole.
    /// </summary>
    /// <returns>The new batch's id, or null when there was nothing new.</returns>
    /// <param name="retryFailed">Queue again file versions that failed for good before (a backfill does).</param>
    public async Task<long?> ScanOnceAsync(IReadOnlyList<string> prefixes, CancellationToken cancellationToken, bool retryFailed = false)
    {
        var started = DateTimeOffset.UtcNow;
        var bucket = pipeline.Value.Bucket;
        await using var scanLock = await batches.TryLockScanAsync(cancellationToken);
        if (scanLock is null)
        {
            logger.LogWarning("Another Ingest is scanning the warehouse's sources; this scan is skipped.");
            return null;
        }
        await publisher.ResumeAsync(scanLock, cancellationToken);
        var found = await scanner.ScanAsync(bucket, prefixes, cancellationToken);
        var known = await batches.FindKnownAsync(found, includeFailed: !retryFailed, cancellationToken);
        var fresh = found.Where(f => !known.Contains((f.Key, f.ETag))).ToList();
        if (fresh.Count == 0)
        {
            logger.LogInformation("Scanned s3://{Bucket}/{{{Prefixes}}}: {Found} file(s), nothing new.", bucket, string.Join(",", prefixes), found.Count);
            return null;
        }

        // The trace starts (back-dated to the scan's start) only for a scan that found work: a watch scan every 30 s
        // that finds nothing would otherwise fill the trace list; its listing calls, without a parent, are not recorded.
        using var activity = PipelineTelemetry.Source.StartActivity("ingest scan", ActivityKind.Internal, parentContext: default, startTime: started);
        activity?.SetTag("sparkify.files.found", found.Count);
        activity?.SetTag("sparkify.files.new", fresh.Count);

        var batchId = await batches.OpenAsync($"s3://{bucket}/{{{string.Join(",", prefixes)}}}", fresh, activity?.Id, cancellationToken);
        activity?.SetTag("sparkify.batch.id", batchId);
        await publisher.PublishAsync(batchId, fresh, cancellationToken);
        logger.LogInformation("Batch {BatchId}: published {New} new file(s) of {Found} found.", batchId, fresh.Count, found.Count);
        return batchId;
    }
}
