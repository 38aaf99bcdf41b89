using System.Diagnostics;
using Npgsql;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Quality;
using Sparkify.Warehouse.Staging;
using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse;

/// <summary>
/// One batch end to end, without the cloud parts: stage the files (songs are expected before events), load the
/// star schema, run the quality checks and record how the batch ended.
/// </summary>
public sealed class WarehouseLoader(NpgsqlDataSource dataSource, LoadOptions options)
{
    public async Task<BatchReport> LoadAsync(
        string source, IReadOnlyList<SourceFile> files, IProgress<FileLoadResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var batches = new BatchStore(dataSource);
        var batchId = await batches.OpenAsync(source, cancellationToken);
        IReadOnlyList<FileLoadResult> results = [];
        try
        {
            results = await new StagingLoader(dataSource, options).LoadAsync(batchId, files, progress, cancellationToken);
            var star = await new StarSchemaLoader(dataSource).LoadAsync(batchId, cancellationToken);
            var checks = await new QualityChecks(dataSource).RunAsync(batchId, cancellationToken);

            var failedFiles = results.Count(r => r.Outcome == FileOutcome.Failed);
            var failedChecks = checks.Where(c => !c.Passed).Select(c => c.Name).ToList();
            var problems = new List<string>();
            if (failedFiles > 0)
            {
                problems.Add($"{failedFiles} file(s) failed");
            }
            if (failedChecks.Count > 0)
            {
                problems.Add("quality checks failed: " + string.Join(", ", failedChecks));
            }
            var status = problems.Count == 0 ? BatchStatus.Completed : BatchStatus.CompletedWithFailures;
            await batches.CloseAsync(batchId, status, results, problems.Count == 0 ? null : string.Join("; ", problems), cancellationToken);
            return new BatchReport(batchId, status, results, star, checks, stopwatch.Elapsed);
        }
        catch (Exception exception)
        {
            await batches.CloseAsync(batchId, BatchStatus.Failed, results, exception.Message, CancellationToken.None);
            throw;
        }
    }
}
