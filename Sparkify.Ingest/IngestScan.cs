using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Ingest;

/// <summary>
/// One scan: list the files page by page, keep those neither loaded nor in flight, record them in a batch and publish
/// them. A scan that opens a batch is the root of the pipeline trace (staging and star load join it); one that finds
/// nothing makes no trace.
/// </summary>
public sealed class IngestScan(
    S3FileScanner scanner, BatchPublisher publisher, BatchManifests batches, ListingBatches listings, ListingWatermarks watermarks,
    IOptions<PipelineOptions> pipeline, IOptions<IngestOptions> ingest, ILogger<IngestScan> logger)
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
    /// another Ingest's is skipped whole. The listing is streamed: each page's new files are recorded in the batch's
    /// manifest and published before the next page is asked for, so memory holds one page whatever the key count; the
    /// batch is sealed (its expected files set) only once every prefix is listed. An ordered prefix
    /// (<see cref="IngestOptions.OrderedPrefixes"/>) is listed after its watermark unless a full listing is due.
    /// </summary>
    /// <returns>The scan's batch (a new one, or the interrupted listing's it continued), or null when there was nothing new.</returns>
    /// <param name="retryFailed">Queue again file versions that failed for good before, listing every prefix whole (a backfill does).</param>
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
        var source = $"s3://{bucket}/{{{string.Join(",", prefixes)}}}";
        var (continued, sealedBatches) = await listings.ContinueInterruptedAsync(scanLock, source, cancellationToken);
        foreach (var sealedBatch in sealedBatches)
        {
            logger.LogWarning("Batch {BatchId}: its listing was interrupted; it holds the files recorded before, this scan finds the rest.", sealedBatch);
        }
        if (continued is { } interrupted)
        {
            logger.LogWarning("Batch {BatchId}: its listing was interrupted; this scan continues it.", interrupted);
        }
        using var batch = new ScanBatch(listings, publisher, source, started, continued);
        var found = 0;
        foreach (var prefix in S3FileScanner.DisjointPrefixes(prefixes))
        {
            found += await ListPrefixAsync(bucket, prefix, batch, retryFailed, cancellationToken);
        }
        await batch.SealAsync(found, cancellationToken);
        if (batch.BatchId is not { } batchId)
        {
            logger.LogInformation("Scanned s3://{Bucket}/{{{Prefixes}}}: {Found} file(s), nothing new.", bucket, string.Join(",", prefixes), found);
            return null;
        }
        logger.LogInformation("Batch {BatchId}: published {New} new file(s) of {Found} found.", batchId, batch.NewFiles, found);
        return batchId;
    }

    /// <returns>How many files the listing found.</returns>
    private async Task<int> ListPrefixAsync(string bucket, string prefix, ScanBatch batch, bool retryFailed, CancellationToken cancellationToken)
    {
        var settings = ingest.Value;
        var ordered = settings.OrderedPrefixSet.Contains(prefix);
        var startAfter = ordered && !retryFailed
            ? await watermarks.FindStartAfterAsync(bucket, prefix, TimeSpan.FromMinutes(settings.FullListingIntervalMinutes), cancellationToken)
            : null;
        if (startAfter is not null)
        {
            logger.LogInformation("Listing s3://{Bucket}/{Prefix} after {Watermark}.", bucket, prefix, startAfter);
        }
        var found = 0;
        string? lastKey = null;
        await foreach (var page in scanner.ListAsync(bucket, prefix, startAfter, cancellationToken))
        {
            found += page.Files.Count;
            lastKey = page.LastKey ?? lastKey;
            var known = await batches.FindKnownAsync(page.Files, includeFailed: !retryFailed, cancellationToken);
            var fresh = page.Files.Where(f => !known.Contains((f.Key, f.ETag))).ToList();
            if (fresh.Count > 0)
            {
                await batch.AddAsync(fresh, cancellationToken);
            }
        }
        if (ordered && lastKey is not null)
        {
            await watermarks.RecordAsync(bucket, prefix, lastKey, fullListing: startAfter is null, cancellationToken);
        }
        return found;
    }
}
