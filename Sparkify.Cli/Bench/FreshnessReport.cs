using System.Globalization;

namespace Sparkify.Cli.Bench;

/// <summary>One log file of a freshness run: whether its event was posted, and what was seen of it.</summary>
/// <param name="LatencySeconds">PUT completed → its plays in songplays; null: never seen before the deadline (lost).</param>
/// <param name="FoundByEvents">Its batch came from the arrivals queue (else from a scan).</param>
/// <param name="DiscoveryToVisibleSeconds">The batch that took it in was opened → its plays were visible.</param>
public sealed record FileFreshness(string Key, bool EventPosted, double? LatencySeconds, bool FoundByEvents, double? DiscoveryToVisibleSeconds);

/// <summary>One mode's freshness: counts, and latencies for all files and by how their arrival was announced.</summary>
public sealed record FreshnessRun(
    string Mode, string Setup, int FilesPut, int EventsPosted, int EventsDropped, int FilesVisible, int FilesLost, int FoundByEvents,
    int FoundByScan, LatencySummary All, LatencySummary EventPosted, LatencySummary EventDropped, LatencySummary DiscoveryToVisible,
    string? Failure = null)
{
    /// <summary>The deployed schedule's freshness derived from this run (scan mode only): never a measured figure.</summary>
    public LatencySummary? DerivedAtSchedule { get; init; }

    public int? DerivedIntervalSeconds { get; init; }

    public static FreshnessRun From(string mode, string setup, IReadOnlyList<FileFreshness> files, string? failure = null)
    {
        var seen = files.Where(f => f.LatencySeconds is not null).ToList();
        return new FreshnessRun(
            mode, setup, files.Count, files.Count(f => f.EventPosted), files.Count(f => !f.EventPosted), seen.Count, files.Count - seen.Count,
            seen.Count(f => f.FoundByEvents), seen.Count(f => !f.FoundByEvents),
            LatencySummary.Of(seen.Select(f => f.LatencySeconds!.Value)),
            LatencySummary.Of(seen.Where(f => f.EventPosted).Select(f => f.LatencySeconds!.Value)),
            LatencySummary.Of(seen.Where(f => !f.EventPosted).Select(f => f.LatencySeconds!.Value)),
            LatencySummary.Of(seen.Where(f => f.DiscoveryToVisibleSeconds is not null).Select(f => f.DiscoveryToVisibleSeconds!.Value)),
            failure);
    }
}

/// <param name="GoalSeconds">The p95 the notification mode should meet for the files whose event was posted.</param>
public sealed record FreshnessReport(
    int Files, double Rate, double DropShare, int ScanIntervalSeconds, int EventsPerFile, IReadOnlyList<FreshnessRun> Runs, double GoalSeconds = 30)
{
    public const string NotificationsMode = "notifications";

    /// <summary>A run failed, or lost a file: the bench fails loudly.</summary>
    public bool Failed => Runs.Any(r => r.Failure is not null || r.FilesLost > 0);

    public IEnumerable<string> Lines()
    {
        yield return Invariant(
            $"Freshness: {Files} log files PUT at {Rate:0.##}/s (~{EventsPerFile:N0} events each); latency = PUT completed → the file's plays in songplays (polled every 250 ms)");
        foreach (var run in Runs)
        {
            yield return $"{run.Mode}: {run.Setup}";
            if (run.Failure is not null)
            {
                yield return $"  FAILED: {run.Failure}";
            }
            var events = run.Mode == NotificationsMode ? $"events posted {run.EventsPosted}, events dropped {run.EventsDropped}, " : "";
            yield return $"  files put {run.FilesPut}, {events}visible {run.FilesVisible} (found by events {run.FoundByEvents}, by the scan {run.FoundByScan}), " +
                $"lost {run.FilesLost}{(run.FilesLost > 0 ? " — FILES LOST" : "")}";
            yield return $"  measured, all files: {run.All}";
            if (run.Mode == NotificationsMode)
            {
                var verdict = run.EventPosted.Count == 0 ? ""
                    : Invariant($" — goal p95 <= {GoalSeconds:0.#} s: {(run.EventPosted.P95 <= GoalSeconds ? "met" : "MISSED")}");
                yield return $"  measured, event posted: {run.EventPosted}{verdict}";
            }
            if (run.Mode == NotificationsMode && run.EventsDropped > 0)
            {
                yield return $"  measured, event dropped (found by the reconciliation scan): {run.EventDropped}";
            }
            yield return $"  measured, batch opened → visible: {run.DiscoveryToVisible}";
            if (run.DerivedAtSchedule is { } derived && run.DerivedIntervalSeconds is { } interval)
            {
                yield return $"  DERIVED, not measured — a scan every {interval} s (the deployed schedule): a wait uniform over 0–{interval} s " +
                    $"plus the measured batch-opened → visible times: {derived}";
            }
        }
    }

    public async Task WriteAsync(TextWriter output)
    {
        foreach (var line in Lines())
        {
            await output.WriteLineAsync(line);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
