using System.CommandLine;
using Sparkify.Cli.Bench;
using Sparkify.DevTools.DemoData;

namespace Sparkify.Cli;

internal static class BenchCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var songs = new Option<int>("--songs") { Description = "Song files to generate.", DefaultValueFactory = _ => 2_000 };
        var events = new Option<int>("--events") { Description = "Events to generate.", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated data.", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var noPipeline = new Option<bool>("--no-pipeline") { Description = "Skip the full S3 + SQS pipeline way." };
        var incremental = new Option<bool>("--incremental")
        {
            Description = "Instead of the ways: the steady state. A small batch (--batch-events, one new day) on a warehouse holding " +
                "--songs and --events, against the same batch on one holding only the songs; prints the ratio.",
        };
        var batchEvents = new Option<int>("--batch-events") { Description = "Events in each --incremental batch.", DefaultValueFactory = _ => 2_000 };
        var rounds = new Option<int>("--rounds") { Description = "Batches (new days) measured by --incremental; the median counts.", DefaultValueFactory = _ => 3 };
        var curve = new Option<string?>("--curve")
        {
            Description = "Instead of the ways: the backfill curve. Comma-separated event counts (e.g. 750000,1500000,3000000), " +
                "each loaded with --songs as one batch by `sparkify load`; prints time, growth per doubling and peak RSS.",
        };
        var freshness = new Option<bool>("--freshness")
        {
            Description = "Instead of the ways: freshness. Log files PUT at --rate for --duration while the pipeline runs; the time from each PUT " +
                "to its plays in songplays (p50, p95, max), in notification mode (--drop of the events not posted: the reconciliation scan " +
                "every --scan-interval must find them) and with the scan alone every --scan-interval.",
        };
        var rate = new Option<double>("--rate") { Description = "--freshness: log files PUT per second.", DefaultValueFactory = _ => 1 };
        var duration = new Option<int>("--duration") { Description = "--freshness: seconds of arrivals.", DefaultValueFactory = _ => 120 };
        var drop = new Option<double>("--drop")
        {
            Description = "--freshness: share of the event messages not posted in notification mode (0 to 1).", DefaultValueFactory = _ => 0.1,
        };
        var scanInterval = new Option<int>("--scan-interval")
        {
            Description = "--freshness: seconds between scans (Ingest's Watch mode): the reconciliation beside the events, and the scan mode. " +
                "Default: Ingest's own WatchIntervalSeconds default.",
            DefaultValueFactory = _ => 30,
        };
        var mode = new Option<string?>("--mode") { Description = "--freshness: notifications, scan or both (default both)." };
        var command = new Command("bench",
            "Time the pipeline, `sparkify load` and the in-database way on the same generated data and PostgreSQL server " +
            "(each in a scratch database it creates and drops: the connection's user needs CREATEDB).")
        {
            connection, songs, events, seed, json, noPipeline, incremental, batchEvents, rounds, curve, freshness, rate, duration, drop, scanInterval, mode,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, error) =>
        {
            var sizes = parseResult.GetValue(curve);
            if (parseResult.GetValue(batchEvents) < 1 || parseResult.GetValue(rounds) < 1)
            {
                throw new UsageException("--batch-events and --rounds must be at least 1.");
            }
            if (new[] { parseResult.GetValue(incremental), sizes is not null, parseResult.GetValue(freshness) }.Count(chosen => chosen) > 1)
            {
                throw new UsageException("--incremental, --curve and --freshness are separate benchmarks: pick one.");
            }
            var curveSizes = sizes is null ? null
                : ParseSizes(sizes) ?? throw new UsageException($"--curve takes positive event counts separated by commas (got '{sizes}').");
            var freshnessSettings = parseResult.GetValue(freshness)
                ? FreshnessSettingsOf(parseResult.GetValue(rate), parseResult.GetValue(duration), parseResult.GetValue(drop),
                    parseResult.GetValue(scanInterval), parseResult.GetValue(mode))
                : null;
            var connectionString = WarehouseConnection.Resolve(parseResult, connection);
            var options = new GeneratorOptions(parseResult.GetValue(songs), parseResult.GetValue(events), Seed: parseResult.GetValue(seed));
            if (freshnessSettings is { } settings)
            {
                var fresh = await new FreshnessBench(connectionString, error).RunAsync(options, settings, cancellationToken);
                await (parseResult.GetValue(json) ? output.WriteLineAsync(BenchTable.ToJson(fresh)) : fresh.WriteAsync(output));
                return fresh.Failed ? ExitCodes.DataFailure : ExitCodes.Success;
            }
            if (parseResult.GetValue(incremental))
            {
                var steady = await new IncrementalBench(connectionString, error)
                    .RunAsync(options, parseResult.GetValue(batchEvents), parseResult.GetValue(rounds), cancellationToken);
                await (parseResult.GetValue(json) ? output.WriteLineAsync(BenchTable.ToJson(steady)) : IncrementalBench.WriteAsync(output, steady));
                return ExitCodes.Success;
            }
            if (curveSizes is not null)
            {
                var points = await new BackfillCurve(connectionString, error).RunAsync(options, curveSizes, cancellationToken);
                await (parseResult.GetValue(json) ? output.WriteLineAsync(BenchTable.ToJson(points)) : BackfillCurve.WriteAsync(output, points));
                return points.Any(p => p.Failure is not null) ? ExitCodes.DataFailure : ExitCodes.Success;
            }
            var report = await new BenchRunner(connectionString, error)
                .RunAsync(options, includePipeline: !parseResult.GetValue(noPipeline), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await output.WriteLineAsync(BenchTable.ToJson(report));
            }
            else
            {
                await BenchTable.WriteAsync(output, report);
            }
            return report.Results.Any(r => r.Ran is false && r.Note?.StartsWith("skipped", StringComparison.Ordinal) != true)
                ? ExitCodes.DataFailure
                : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The --freshness options, refused with a usage error when out of range.</summary>
    internal static FreshnessSettings FreshnessSettingsOf(double rate, int duration, double drop, int scanInterval, string? mode)
    {
        if (!(rate is > 0 and <= 100))
        {
            throw new UsageException($"--rate must be more than 0 and at most 100 files a second (got {rate}).");
        }
        if (duration < 1)
        {
            throw new UsageException($"--duration must be at least 1 second (got {duration}).");
        }
        if (!(drop is >= 0 and <= 1))
        {
            throw new UsageException($"--drop must be a share between 0 and 1 (got {drop}).");
        }
        if (scanInterval is < 1 or > 86_400)
        {
            throw new UsageException($"--scan-interval must be between 1 and 86400 seconds (got {scanInterval}).");
        }
        FreshnessMode[] modes = (mode ?? "both") switch
        {
            "both" => [FreshnessMode.Notifications, FreshnessMode.Scan],
            "notifications" => [FreshnessMode.Notifications],
            "scan" => [FreshnessMode.Scan],
            _ => throw new UsageException($"--mode takes notifications, scan or both (got '{mode}')."),
        };
        var settings = new FreshnessSettings(rate, duration, drop, scanInterval, modes);
        if (settings.Files > 10_000)
        {
            throw new UsageException($"--rate x --duration makes {settings.Files:N0} files; at most 10,000.");
        }
        return settings;
    }

    private static int[]? ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = parts.Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0).ToArray();
        return sizes.Length == 0 || sizes.Contains(0) ? null : sizes;
    }
}
