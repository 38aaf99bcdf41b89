using System.Diagnostics;
using Npgsql;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse;

/// <summary>
/// One batch end to end, without the cloud parts: stage the files (songs are expected before events), then
/// finish the batch (star load, quality checks, status).
/// </summary>
public sealed class WarehouseLoader(NpgsqlDataSource dataSource, LoadOptions options)
{
    public async Task<BatchReport> LoadAsync(
        string source, IReadOnlyList<SourceFile> files, IProgress<FileLoadResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var batches = new BatchStore(dataSource);
        var batchId = await batches.OpenAsync(source, cancellationToken);
        try
        {
            var times = new PhaseTimes();
            var results = await new StagingLoader(dataSource, options, times).LoadAsync(batchId, files, progress, cancellationToken);
            BatchOutcome outcome;
            using (times.Measure(PhaseTimes.StarLoad))
            {
                outcome = await new BatchFinisher(dataSource).FinishAsync(batchId,
                    failedFiles: results.Count(r => r.Outcome == FileOutcome.Failed),
                    skippedFiles: results.Count(r => r.Outcome == FileOutcome.AlreadyLoaded),
                    cancellationToken);
            }
            await new BatchPhaseTimesStore(dataSource).AddAsync(batchId, times, cancellationToken);
            return new BatchReport(batchId, outcome.Status, results, outcome.Star, outcome.Checks, stopwatch.Elapsed);
        }
        catch (Exception exception)
        {
            await batches.CloseAsync(batchId, BatchStatus.Failed, exception.Message, filesSkipped: 0, CancellationToken.None);
            throw;
        }
    }
}
