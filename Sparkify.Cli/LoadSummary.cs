using Sparkify.Warehouse;
using Sparkify.Warehouse.Star;

namespace Sparkify.Cli;

internal static class LoadSummary
{
    /// <param name="entriesSkipped">Folder entries that could not be taken as files (dangling links, unreadable names).</param>
    public static async Task WriteAsync(TextWriter output, BatchReport report, int entriesSkipped = 0)
    {
        var seconds = Math.Max(report.Elapsed.TotalSeconds, 0.001);
        await output.WriteLineAsync($"Batch {report.BatchId}: {report.Status} in {report.Elapsed.TotalSeconds:F1} s");
        await output.WriteLineAsync(
            $"  files: {report.FilesLoaded:N0} loaded, {report.FilesAlreadyLoaded:N0} already loaded (skipped), {report.FilesFailed:N0} failed" +
            (report.FilesSuperseded > 0 ? $", {report.FilesSuperseded:N0} older than the version loaded (not staged)" : "") +
            (entriesSkipped > 0 ? $", {entriesSkipped:N0} unreadable folder entr{(entriesSkipped == 1 ? "y" : "ies")} skipped (listed on stderr)" : ""));
        await output.WriteLineAsync(
            $"  rows:  {report.RowsLoaded:N0} staged, {report.RowsRejected:N0} rejected, {report.RowsRepaired:N0} with text repaired " +
            $"({report.BytesRead / 1048576.0:F1} MB, {report.RowsLoaded / seconds:N0} rows/s)");
        var star = report.Star;
        await output.WriteLineAsync(
            $"  star:  {star.FilesTakenIn:N0} file(s) taken in{(star.FilesRetired > 0 ? $", {star.FilesRetired:N0} older version(s) taken out" : "")}" +
            $"{(star.Bulk ? " (bulk: indexes built after the insert)" : "")}; {StarChanges.Describe(star)}");
        if (report.RowsRejected > 0 || report.FilesFailed > 0)
        {
            await output.WriteLineAsync($"  errors: SELECT * FROM load_errors WHERE batch_id = {report.BatchId};");
        }
    }
}
