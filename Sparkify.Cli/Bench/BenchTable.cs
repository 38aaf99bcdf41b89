using System.Globalization;
using System.Text.Json;

namespace Sparkify.Cli.Bench;

/// <summary>The bench's figures as a table for people, or as JSON for scripts.</summary>
internal static class BenchTable
{
    public const string InDatabaseWayName = "in-database (psql + SQL)";

    public static async Task WriteAsync(TextWriter output, BenchReportData report)
    {
        var input = report.Input;
        var megabytes = input.Bytes / 1048576.0;
        await output.WriteLineAsync(
            $"Input: {input.SongFiles:N0} song files + {input.LogFiles:N0} log files, {input.Events:N0} events, {megabytes:F1} MB");
        var baseline = report.Results.FirstOrDefault(r => r.Way == InDatabaseWayName && r.Ran)?.WallSeconds;
        await output.WriteLineAsync(
            $"{"way",-32}{"wall s",9}{"files/s",10}{"events/s",11}{"MB/s",8}{"vs in-db",10}  peak RSS (MB)");
        foreach (var result in report.Results)
        {
            if (!result.Ran)
            {
                await output.WriteLineAsync($"{result.Way,-32}  {result.Note}");
                continue;
            }
            var seconds = Math.Max(result.WallSeconds, 0.001);
            var ratio = baseline is { } b ? (result.WallSeconds / b).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
            var rss = string.Join(", ", result.PeakRss.Select(p => $"{p.Key} {p.Value / 1048576.0:F0}"));
            await output.WriteLineAsync(
                $"{result.Way,-32}{result.WallSeconds,9:F2}{(input.SongFiles + input.LogFiles) / seconds,10:N0}{input.Events / seconds,11:N0}" +
                $"{megabytes / seconds,8:F1}{ratio,10}  {rss}");
        }
        foreach (var result in report.Results.Where(r => r.Ran && r.Phases.Count > 0))
        {
            await output.WriteLineAsync(
                $"Where the time went ({result.Way}): {string.Join(", ", result.Phases.Select(p => $"{p.Key} {p.Value:F2} s"))}");
        }
        var counted = report.Results.Where(r => r.Ran).ToList();
        if (counted.Count > 1)
        {
            var first = counted[0];
            foreach (var other in counted.Skip(1))
            {
                var differences = first.Counts.Where(c => other.Counts.GetValueOrDefault(c.Key) != c.Value)
                    .Select(c => $"{c.Key} {c.Value:N0} vs {other.Counts.GetValueOrDefault(c.Key):N0}").ToList();
                await output.WriteLineAsync(differences.Count == 0
                    ? $"Counts of {other.Way} equal those of {first.Way}: {string.Join(", ", first.Counts.Select(c => $"{c.Key} {c.Value:N0}"))}"
                    : $"COUNTS DIFFER between {first.Way} and {other.Way}: {string.Join("; ", differences)}");
            }
        }
    }

    public static string ToJson(BenchReportData report) => JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
