using Sparkify.Warehouse.Quality;

namespace Sparkify.Cli;

internal static class QualityReport
{
    public static async Task WriteAsync(TextWriter output, TextWriter error, IReadOnlyList<QualityCheckResult> results)
    {
        foreach (var result in results)
        {
            await output.WriteLineAsync(result.Passed
                ? $"  pass  {result.Name}"
                : $"  FAIL  {result.Name}: {result.FailingRows:N0} row(s) break \"{result.Description}\"");
        }
        var failed = results.Where(r => !r.Passed).Select(r => r.Name).ToList();
        if (failed.Count > 0)
        {
            await error.WriteLineAsync($"Quality checks failed: {string.Join(", ", failed)}");
        }
    }
}
