using Npgsql;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Quality;
using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse;

public sealed record BatchOutcome(string Status, StarLoadResult Star, IReadOnlyList<QualityCheckResult> Checks, string? Problems);

/// <summary>The end of every batch, local or pipeline: star load, quality checks, and the batch's final status.</summary>
/// <param name="statementTimeout">The longest one statement of the star load or the checks may run; null: no limit.</param>
public sealed class BatchFinisher(NpgsqlDataSource dataSource, TimeSpan? statementTimeout = null)
{
    public async Task<BatchOutcome> FinishAsync(long batchId, int failedFiles, int skippedFiles, CancellationToken cancellationToken = default)
    {
        var star = await new StarSchemaLoader(dataSource, statementTimeout).LoadAsync(batchId, cancellationToken);
        var checks = await new QualityChecks(dataSource, statementTimeout).RunAsync(batchId, cancellationToken);

        var problems = new List<string>();
        if (failedFiles > 0)
        {
            problems.Add($"{failedFiles} file(s) failed");
        }
        var failedChecks = checks.Where(c => !c.Passed).Select(c => c.Name).ToList();
        if (failedChecks.Count > 0)
        {
            problems.Add("quality checks failed: " + string.Join(", ", failedChecks));
        }
        var status = problems.Count == 0 ? BatchStatus.Completed : BatchStatus.CompletedWithFailures;
        var summary = problems.Count == 0 ? null : string.Join("; ", problems);
        await new BatchStore(dataSource).CloseAsync(batchId, status, summary, skippedFiles, cancellationToken);
        return new BatchOutcome(status, star, checks, summary);
    }
}
