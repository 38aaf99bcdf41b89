using Npgsql;
using Sparkify.DevTools.DemoData;

namespace Sparkify.Cli.Bench;

/// <summary>One new batch's cost, measured twice: on a warehouse holding only the songs, and on one holding the history.</summary>
public sealed record IncrementalRound(int Round, double EmptyWallSeconds, double EmptyBatchSeconds, double FullWallSeconds, double FullBatchSeconds);

/// <param name="FloorSeconds">One batch's bytes through one bare binary COPY (the machine's limit for moving them in).</param>
public sealed record IncrementalReport(long HistoryPlays, int BatchEvents, IReadOnlyList<IncrementalRound> Rounds, double FloorSeconds = 0)
{
    public double EmptyBatchMedian => Median(Rounds.Select(r => r.EmptyBatchSeconds));

    public double FullBatchMedian => Median(Rounds.Select(r => r.FullBatchSeconds));

    /// <summary>The batch's cost on the full warehouse over its cost on the empty one (medians of the batch's own time).</summary>
    public double Ratio => FullBatchMedian / Math.Max(EmptyBatchMedian, 0.001);

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>
/// The steady state: a small batch (one new day of events) loaded with `sparkify load` on top of a warehouse that holds
/// the history, against the same batch on a warehouse that holds only the songs. Each round is a new day, so every
/// batch is new to both warehouses; the batch's own time comes from its bookkeeping (batch created to completed).
/// </summary>
internal sealed class IncrementalBench(string serverConnectionString, TextWriter progress)
{
    public async Task<IncrementalReport> RunAsync(GeneratorOptions history, int batchEvents, int rounds, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("sparkify-bench-incremental-").FullName;
        try
        {
            await progress.WriteLineAsync(
                $"Generating the history ({history.Songs:N0} songs, {history.Events:N0} events over {history.Days} days) and {rounds} batches of {batchEvents:N0} events...");
            var historyFolder = Path.Combine(root, "history");
            await DemoDataGenerator.WriteAsync(historyFolder, history, cancellationToken);
            var batchFolders = new List<string>();
            for (var round = 1; round <= rounds; round++)
            {
                var folder = Path.Combine(root, $"batch-{round}");
                var day = history with { Events = batchEvents, Days = 1, StartDate = history.FirstDay.AddDays(history.Days + round - 1) };
                await DemoDataGenerator.WriteAsync(folder, day, cancellationToken);
                if (round == 1)
                {
                    // The same song files (same seed and count) without events: the empty warehouse's only content.
                    var songsFolder = Path.Combine(root, "songs");
                    Directory.CreateDirectory(songsFolder);
                    CopyFolder(Path.Combine(folder, "song_data"), Path.Combine(songsFolder, "song_data"));
                }
                Directory.Delete(Path.Combine(folder, "song_data"), recursive: true);
                batchFolders.Add(folder);
            }

            await using var empty = await ScratchDatabase.CreateAsync(serverConnectionString, cancellationToken);
            await using var full = await ScratchDatabase.CreateAsync(serverConnectionString, cancellationToken);
            await progress.WriteLineAsync("Loading the songs into the empty warehouse and the history into the full one...");
            await LoadOrThrowAsync(Path.Combine(root, "songs"), empty.ConnectionString, cancellationToken);
            await LoadOrThrowAsync(historyFolder, full.ConnectionString, cancellationToken);
            var historyPlays = (await BenchRunner.CountAsync(full.ConnectionString, cancellationToken))["songplays"];

            var results = new List<IncrementalRound>();
            foreach (var (folder, round) in batchFolders.Select((folder, index) => (folder, index + 1)))
            {
                await progress.WriteLineAsync($"Round {round}: the batch on the empty warehouse, then on the full one...");
                var (emptyWall, emptyBatch) = await LoadOrThrowAsync(folder, empty.ConnectionString, cancellationToken);
                var (fullWall, fullBatch) = await LoadOrThrowAsync(folder, full.ConnectionString, cancellationToken);
                results.Add(new IncrementalRound(round, emptyWall, emptyBatch, fullWall, fullBatch));
            }
            await using var floorDatabase = await ScratchDatabase.CreateAsync(serverConnectionString, cancellationToken);
            var floor = await FloorWay.RunAsync(batchFolders[0], floorDatabase.ConnectionString, cancellationToken);
            return new IncrementalReport(historyPlays, batchEvents, results, floor.Seconds);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(double Wall, double Batch)> LoadOrThrowAsync(string folder, string connectionString, CancellationToken cancellationToken)
    {
        var outcome = await BenchRunner.LoadAsync(folder, connectionString, cancellationToken);
        if (outcome.Failure is not null)
        {
            throw new InvalidOperationException($"sparkify load {folder} failed: {outcome.Failure}");
        }
        return (outcome.Seconds, await LatestBatchSecondsAsync(connectionString, cancellationToken));
    }

    private static async Task<double> LatestBatchSecondsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT extract(epoch FROM completed_at - created_at)::float8 FROM batches ORDER BY batch_id DESC LIMIT 1");
        return (double)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public static async Task WriteAsync(TextWriter output, IncrementalReport report)
    {
        await output.WriteLineAsync(
            $"Steady state: a batch of {report.BatchEvents:N0} events (one new day), `sparkify load`, on a warehouse holding only the songs " +
            $"and on one holding {report.HistoryPlays:N0} plays");
        await output.WriteLineAsync($"{"round",-7}{"empty: batch s",16}{"wall s",9}{"full: batch s",16}{"wall s",9}");
        foreach (var round in report.Rounds)
        {
            await output.WriteLineAsync(
                $"{round.Round,-7}{round.EmptyBatchSeconds,16:F2}{round.EmptyWallSeconds,9:F2}{round.FullBatchSeconds,16:F2}{round.FullWallSeconds,9:F2}");
        }
        await output.WriteLineAsync(
            $"Median batch time: empty {report.EmptyBatchMedian:F2} s, full {report.FullBatchMedian:F2} s; " +
            $"ratio full/empty {report.Ratio:F2}x (target at most 1.20x); floor (one batch's bytes, bare binary COPY) {report.FloorSeconds:F2} s");
    }
}
