using Sparkify.Cli.Bench;

namespace Sparkify.Cli.Tests;

/// <summary>The freshness bench's arithmetic and words: percentiles, the dropped events, the derived schedule, the report.</summary>
public sealed class FreshnessTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_values_that_were_measured()
    {
        var summary = LatencySummary.Of([.. Enumerable.Range(1, 20).Select(i => (double)i).Reverse()]);

        Assert.Equal(new LatencySummary(20, 10, 19, 20), summary);
        Assert.Equal(7.5, LatencySummary.Of([7.5]).P95);
        Assert.Equal(3, LatencySummary.Percentile([1, 2, 3], 95));
        Assert.Equal("none", LatencySummary.Of([]).ToString());
    }

    [Theory]
    [InlineData(120, 0.1, 12)]
    [InlineData(120, 0.0, 0)]
    [InlineData(120, 1.0, 120)]
    [InlineData(7, 0.5, 4)]
    public void Exactly_the_share_of_events_is_dropped(int files, double share, int expected)
    {
        var dropped = EventDrops.Choose(files, share, seed: 42);

        Assert.Equal(expected, dropped.Count);
        Assert.All(dropped, i => Assert.InRange(i, 0, files - 1));
    }

    [Fact]
    public void The_dropped_events_are_spread_and_the_same_for_the_same_seed()
    {
        var dropped = EventDrops.Choose(100, 0.1, seed: 42);

        Assert.Equal(dropped.Order(), EventDrops.Choose(100, 0.1, seed: 42).Order());
        Assert.NotEqual(Enumerable.Range(0, 10), dropped.Order());
        Assert.NotEqual(dropped.Order(), EventDrops.Choose(100, 0.1, seed: 7).Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => EventDrops.Choose(10, 1.5, seed: 42));
    }

    [Fact]
    public void A_schedule_adds_a_wait_uniform_over_its_interval_to_the_measured_times()
    {
        var derived = ScheduledScanEstimate.Derive([2.0, 2.0, 4.0], intervalSeconds: 900);

        Assert.Equal(3, derived.Count);
        Assert.InRange(derived.P50, 451, 453.5);
        Assert.InRange(derived.P95, 856, 859);
        Assert.Equal(904, derived.Max);
    }

    [Fact]
    public void A_run_counts_lost_files_and_splits_posted_from_dropped_events()
    {
        FileFreshness[] files =
        [
            new("a", EventPosted: true, 3.0, FoundByEvents: true, 0.5),
            new("b", EventPosted: true, 5.0, FoundByEvents: false, 0.4),
            new("c", EventPosted: false, 25.0, FoundByEvents: false, 0.6),
            new("d", EventPosted: false, null, FoundByEvents: false, null),
        ];

        var run = FreshnessRun.From(FreshnessReport.NotificationsMode, "setup", files);

        Assert.Equal((4, 2, 2, 3, 1, 1, 2), (run.FilesPut, run.EventsPosted, run.EventsDropped, run.FilesVisible, run.FilesLost, run.FoundByEvents, run.FoundByScan));
        Assert.Equal(new LatencySummary(2, 3, 5, 5), run.EventPosted);
        Assert.Equal(new LatencySummary(1, 25, 25, 25), run.EventDropped);
        Assert.Equal(new LatencySummary(3, 5, 25, 25), run.All);
        Assert.Equal(0.6, run.DiscoveryToVisible.Max);
    }

    [Fact]
    public void The_report_judges_the_goal_on_posted_events_and_fails_loudly_on_a_lost_file()
    {
        var met = FreshnessRun.From(FreshnessReport.NotificationsMode, "setup",
            [new("a", true, 12.0, true, 0.5), new("b", false, 40.0, false, 0.5)]);
        var missedAndLost = FreshnessRun.From(FreshnessReport.NotificationsMode, "setup",
            [new("a", true, 31.0, true, 0.5), new("b", false, null, false, null)]);

        var good = new FreshnessReport(2, 1, 0.5, 30, 800, [met]);
        var bad = new FreshnessReport(2, 1, 0.5, 30, 800, [missedAndLost]);

        Assert.False(good.Failed);
        Assert.Contains(good.Lines(), line => line.Contains("event posted: p50 12.0 s, p95 12.0 s, max 12.0 s (n=1) — goal p95 <= 30 s: met", StringComparison.Ordinal));
        Assert.Contains(good.Lines(), line => line.Contains("event dropped (found by the reconciliation scan): p50 40.0 s", StringComparison.Ordinal));
        Assert.True(bad.Failed);
        Assert.Contains(bad.Lines(), line => line.EndsWith("goal p95 <= 30 s: MISSED", StringComparison.Ordinal));
        Assert.Contains(bad.Lines(), line => line.Contains("lost 1 — FILES LOST", StringComparison.Ordinal));
    }

    [Fact]
    public void A_derived_figure_is_printed_as_derived()
    {
        var scan = FreshnessRun.From("scan", "setup", [new("a", false, 20.0, false, 1.0)]) with
        {
            DerivedIntervalSeconds = 900,
            DerivedAtSchedule = ScheduledScanEstimate.Derive([1.0], 900),
        };

        var lines = new FreshnessReport(1, 1, 0.1, 30, 800, [scan]).Lines().ToList();

        Assert.Contains(lines, line => line.StartsWith("  DERIVED, not measured — a scan every 900 s", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("goal", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith("  measured", StringComparison.Ordinal) && line.Contains("450", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--rate must be more than 0", "--rate", "0")]
    [InlineData("--duration must be at least 1 second", "--duration", "0")]
    [InlineData("--drop must be a share between 0 and 1", "--drop", "1.5")]
    [InlineData("--scan-interval must be between 1 and 86400 seconds", "--scan-interval", "0")]
    [InlineData("--mode takes notifications, scan or both (got 'events')", "--mode", "events")]
    [InlineData("--rate x --duration makes 20,000 files", "--rate", "100", "--duration", "200")]
    [InlineData("--incremental, --curve and --freshness are separate benchmarks", "--incremental")]
    public async Task Bad_freshness_options_exit_2_saying_why(string expected, params string[] options)
    {
        var result = await Sparkify.RunAsync(["bench", "--freshness", "--connection", "Host=127.0.0.1;Port=1", .. options]);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }
}
