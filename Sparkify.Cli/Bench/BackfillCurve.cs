using Npgsql;
using Sparkify.DevTools.DemoData;

namespace Sparkify.Cli.Bench;

/// <summary>One size of the backfill curve: the whole input as one batch through `sparkify load` into an empty warehouse.</summary>
/// <param name="FloorSeconds">The same bytes through one bare binary COPY (the machine's limit for moving them in).</param>
public sealed record BackfillPoint(
    int Songs, long Events, double WallSeconds, long PeakRssBytes, double StarLoadSeconds, IReadOnlyDictionary<string, long> Counts, string? Failure,
    double FloorSeconds = 0);

/// <summary>
/// How the time of one large batch grows with its size: each size is generated, loaded with `sparkify load` into a
/// database of its own, timed, counted and dropped before the next, so the disk holds one size at a time.
/// </summary>
internal sealed class BackfillCurve(string serverConnectionString, TextWriter progress)
{
    public async Task<IReadOnlyList<BackfillPoint>> RunAsync(
        GeneratorOptions shape, IReadOnlyList<int> eventCounts, CancellationToken cancellationToken)
    {
        var points = new List<BackfillPoint>();
        foreach (var events in eventCounts)
        {
            var folder = Directory.CreateTempSubdirectory("sparkify-bench-backfill-").FullName;
            try
            {
                await progress.WriteLineAsync($"Backfill: generating {shape.Songs:N0} songs and {events:N0} events...");
                await DemoDataGenerator.WriteAsync(folder, shape with { Events = events }, cancellationToken);
                await progress.WriteLineAsync($"Backfill: sparkify load of {events:N0} events...");
                await using var database = await ScratchDatabase.CreateAsync(serverConnectionString, cancellationToken);
                var outcome = await BenchRunner.LoadAsync(folder, database.ConnectionString, cancellationToken);
                var rss = outcome.PeakRss.Values.DefaultIfEmpty(0).Max();
                if (outcome.Failure is not null)
                {
                    points.Add(new BackfillPoint(shape.Songs, events, outcome.Seconds, rss, 0, new Dictionary<string, long>(), outcome.Failure));
                    continue;
                }
                var starLoad = (await BenchRunner.BusyTimesAsync(database.ConnectionString, cancellationToken))
                    .GetValueOrDefault(Sparkify.Warehouse.Bookkeeping.PhaseTimes.StarLoad);
                var counts = await BenchRunner.CountAsync(database.ConnectionString, cancellationToken);
                await using var floorDatabase = await ScratchDatabase.CreateAsync(serverConnectionString, cancellationToken);
                var floor = await FloorWay.RunAsync(folder, floorDatabase.ConnectionString, cancellationToken);
                points.Add(new BackfillPoint(shape.Songs, events, outcome.Seconds, rss, starLoad, counts, null, floor.Seconds));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        return points;
    }

    public static async Task WriteAsync(TextWriter output, IReadOnlyList<BackfillPoint> points)
    {
        await output.WriteLineAsync("Backfill curve: one batch per size, `sparkify load` into an empty warehouse");
        await output.WriteLineAsync($"{"songs",9}{"events",12}{"wall s",10}{"growth",9}{"star load s",13}{"floor s",9}{"peak RSS MB",13}  counts");
        BackfillPoint? previous = null;
        foreach (var point in points)
        {
            if (point.Failure is not null)
            {
                await output.WriteLineAsync($"{point.Songs,9:N0}{point.Events,12:N0}  FAILED: {point.Failure}");
                previous = null;
                continue;
            }
            var growth = previous is null ? "-"
                : $"{Math.Pow(point.WallSeconds / previous.WallSeconds, 1 / Math.Log2((double)point.Events / previous.Events)):F2}x";
            await output.WriteLineAsync(
                $"{point.Songs,9:N0}{point.Events,12:N0}{point.WallSeconds,10:F2}{growth,9}{point.StarLoadSeconds,13:F2}{point.FloorSeconds,9:F2}" +
                $"{point.PeakRssBytes / 1048576.0,13:F0}  {string.Join(", ", point.Counts.Select(c => $"{c.Key} {c.Value:N0}"))}");
            previous = point;
        }
        var longest = points.Where(p => p.Failure is null).Select(p => p.StarLoadSeconds).DefaultIfEmpty(0).Max();
        await output.WriteLineAsync(
            $"Growth is per doubling of the events (target at most 1.50x). Floor: the same bytes through one bare binary COPY. " +
            $"The longest star load + checks took {longest:F1} s in all; " +
            "in the workers each of its statements runs under Sparkify:Transform:StarLoadTimeoutSeconds, in `sparkify load` under no limit.");
    }
}
