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
        foreach (var result in report.Results.Where(r => r.Ran && r.BusyTimes.Count > 0))
        {
            await output.WriteLineAsync(
                $"Busy time by phase ({result.Way}, summed over parallel work): " +
                string.Join(", ", result.BusyTimes.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:F2} s")));
        }
        foreach (var result in report.Results.Where(r => r.Ran && r.CpuSeconds.Count > 0))
        {
            var total = result.CpuSeconds.Values.Sum();
            var available = result.WallSeconds * Environment.ProcessorCount;
            await output.WriteLineAsync(
                $"CPU seconds ({result.Way}): {string.Join(", ", result.CpuSeconds.Select(p => $"{p.Key} {p.Value:F1}"))}; " +
                $"total {total:F1} of {available:F1} available on {Environment.ProcessorCount} cores ({total / available:P0} busy)");
        }
        foreach (var result in report.Results.Where(r => r.Ran && r.EndpointRates.Count > 0))
        {
            await output.WriteLineAsync(
                $"Local S3/SQS endpoint alone, same SDK and concurrency as the workers: " +
                string.Join(", ", result.EndpointRates.Select(p => FormatRate(p.Key, p.Value))));
        }
        var counted = report.Results.Where(r => r.Ran && r.Counts.Count > 0).ToList();
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

    /// <summary>"s3 get (objects/s)", 1234.5 → "s3 get 1,235 objects/s".</summary>
    private static string FormatRate(string name, double value)
    {
        var open = name.IndexOf(" (", StringComparison.Ordinal);
        var format = value < 10 ? "N2" : "N0";
        return open < 0 ? $"{name} {value.ToString(format, CultureInfo.InvariantCulture)}"
            : $"{name[..open]} {value.ToString(format, CultureInfo.InvariantCulture)} {name[(open + 2)..].TrimEnd(')')}";
    }

    public static string ToJson<T>(T report) => JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
