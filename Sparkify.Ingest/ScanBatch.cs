using System.Diagnostics;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Ingest;

/// <summary>
/// The batch of one scan, recorded and published page by page while the listing goes on: opened with the first new
/// files (the pipeline trace starts then, back-dated to the scan's start), added to and published per page, sealed when
/// the listing has ended. A scan that finds nothing new opens no batch and makes no trace. A scan that continues the
/// batch of an interrupted listing (<paramref name="continued"/>) adds to it and seals it, whatever it finds.
/// </summary>
internal sealed class ScanBatch(ListingBatches listings, BatchPublisher publisher, string source, DateTimeOffset started, long? continued) : IDisposable
{
    private Activity? _activity;

    public long? BatchId { get; private set; } = continued;

    public int NewFiles { get; private set; }

    /// <summary>Records <paramref name="fresh"/> in the batch's manifest, then publishes them.</summary>
    public async Task AddAsync(IReadOnlyList<ManifestFile> fresh, CancellationToken cancellationToken)
    {
        if (BatchId is not { } batchId)
        {
            // The trace starts only for a scan that found work: a watch scan every 30 s that finds nothing would otherwise
            // fill the trace list; its listing calls, without a parent, are not recorded.
            _activity = PipelineTelemetry.Source.StartActivity("ingest scan", ActivityKind.Internal, parentContext: default, startTime: started);
            batchId = await listings.OpenAsync(source, fresh, _activity?.Id, cancellationToken);
            BatchId = batchId;
            _activity?.SetTag("sparkify.batch.id", batchId);
        }
        else
        {
            _activity ??= PipelineTelemetry.Source.StartActivity("ingest scan", ActivityKind.Internal, parentContext: default, startTime: started);
            _activity?.SetTag("sparkify.batch.id", batchId);
            await listings.AddAsync(batchId, fresh, cancellationToken);
        }
        // Each page's messages carry the scan's trace context (Activity.Current does not flow back out of this method).
        Activity.Current = _activity;
        await publisher.PublishAsync(batchId, fresh, cancellationToken);
        NewFiles += fresh.Count;
    }

    /// <summary>The listing has ended: the manifest is whole, and the batch may be finished once its files settle.</summary>
    public async Task SealAsync(int found, CancellationToken cancellationToken)
    {
        if (BatchId is { } batchId)
        {
            await listings.SealAsync(batchId, cancellationToken);
            _activity?.SetTag("sparkify.files.found", found);
            _activity?.SetTag("sparkify.files.new", NewFiles);
        }
    }

    public void Dispose() => _activity?.Dispose();
}
