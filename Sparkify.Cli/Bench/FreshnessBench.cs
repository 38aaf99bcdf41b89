using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Npgsql;
using Sparkify.DevTools;
using Sparkify.DevTools.DemoData;
using Sparkify.Pipeline;

namespace Sparkify.Cli.Bench;

public enum FreshnessMode
{
    /// <summary>Ingest in notification mode (events posted for all but the dropped share) beside the reconciliation scan.</summary>
    Notifications,

    /// <summary>Ingest's scan alone (Watch mode), no events.</summary>
    Scan,
}

/// <param name="Rate">Log files PUT per second.</param>
/// <param name="DropShare">Share of the arrivals whose event message is not posted (notification mode).</param>
/// <param name="ScanIntervalSeconds">The scan's interval (Watch mode): the reconciliation beside the events, and the scan mode.</param>
/// <param name="DeployedScanIntervalSeconds">The deployed schedule's interval, derived from the scan mode's figures.</param>
internal sealed record FreshnessSettings(
    double Rate, int DurationSeconds, double DropShare, int ScanIntervalSeconds, IReadOnlyList<FreshnessMode> Modes,
    int DeployedScanIntervalSeconds = 900)
{
    public int Files => Math.Max(1, (int)Math.Round(Rate * DurationSeconds));
}

/// <summary>
/// Freshness: log files PUT at a steady rate while the pipeline runs (fauxqs, Transform and Ingest as separate
/// processes, each mode in a scratch database and endpoint of its own, songs loaded first); the bench polls the
/// warehouse for each file's plays in songplays and reports the time from each PUT.
/// </summary>
internal sealed class FreshnessBench(string serverConnectionString, TextWriter progress)
{
    private const string Bucket = "sparkify-freshness";
    private const string ArrivalsQueue = "sparkify-arrivals";
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SongsDeadline = TimeSpan.FromMinutes(5);

    public async Task<FreshnessReport> RunAsync(GeneratorOptions shape, FreshnessSettings settings, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("sparkify-bench-freshness-").FullName;
        try
        {
            var eventsPerFile = Math.Max(1, shape.Events / settings.Files);
            await progress.WriteLineAsync($"Generating {shape.Songs:N0} songs and {settings.Files} log files of ~{eventsPerFile:N0} events...");
            var (songs, logs) = await GenerateAsync(root, shape, settings.Files, eventsPerFile, cancellationToken);
            var runs = new List<FreshnessRun>();
            foreach (var mode in settings.Modes)
            {
                runs.Add(await RunModeAsync(mode, settings, songs, logs, cancellationToken));
            }
            return new FreshnessReport(logs.Count, settings.Rate, settings.DropShare, settings.ScanIntervalSeconds, eventsPerFile, runs);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>One log file per day (the generator's layout), in parts of at most a year of days, after one another.</summary>
    private static async Task<(string SongFolder, IReadOnlyList<(string Path, string Key)> Logs)> GenerateAsync(
        string root, GeneratorOptions shape, int files, int eventsPerFile, CancellationToken cancellationToken)
    {
        const int daysPerPart = 366;
        var logs = new List<(string Path, string Key)>();
        for (var (part, done) = (0, 0); done < files; part++)
        {
            var days = Math.Min(daysPerPart, files - done);
            var folder = Path.Combine(root, $"part-{part}");
            await DemoDataGenerator.WriteAsync(folder,
                shape with { Events = eventsPerFile * days, Days = days, StartDate = shape.FirstDay.AddDays(done) }, cancellationToken);
            logs.AddRange(Directory.EnumerateFiles(Path.Combine(folder, "log_data"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(path => (path, Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/'))));
            done += days;
        }
        return (Path.Combine(root, "part-0", "song_data"), logs);
    }

    private async Task<FreshnessRun> RunModeAsync(FreshnessMode mode, FreshnessSettings settings, string songFolder,
        IReadOnlyList<(string Path, string Key)> logs, CancellationToken cancellationToken)
    {
        var notifications = mode == FreshnessMode.Notifications;
        var name = notifications ? FreshnessReport.NotificationsMode : "scan";
        var setup = notifications
            ? $"Ingest in notification mode (its defaults: window ArrivalBatchWindowSeconds, files ArrivalBatchMaxFiles) + the reconciliation scan every " +
              $"{settings.ScanIntervalSeconds} s (Watch mode); {settings.DropShare:P0} of the event messages not posted; Transform with its defaults"
            : $"Ingest's scan every {settings.ScanIntervalSeconds} s (Watch mode), no events; Transform with its defaults";
        if (LocalPipeline.MissingTools() is { } missing)
        {
            return FreshnessRun.From(name, setup, [], missing);
        }
        await progress.WriteLineAsync($"Freshness, {name}: starting fauxqs, the workers and a scratch database; loading the songs...");
        await using var database = await ScratchDatabase.CreateAsync(serverConnectionString, cancellationToken);
        await using var pipeline = await LocalPipeline.StartAsync(database.ConnectionString, Bucket, WorkerDefaults.VisibilityTimeoutSeconds, cancellationToken);
        using var s3 = pipeline.CreateS3();
        using var sqs = pipeline.CreateSqs();
        await QueueSetup.UploadFolderAsync(s3, Bucket, songFolder, cancellationToken, keyPrefix: "song_data/");
        var arrivalsUrl = notifications ? await QueueSetup.EnsureArrivalsQueueAsync(sqs, ArrivalsQueue, cancellationToken) : null;

        var environment = pipeline.WorkerEnvironment();
        var workers = new List<LocalPipeline.Worker> { pipeline.StartWorker("transform", "Sparkify.Transform", environment) };
        workers.Add(pipeline.StartWorker("ingest-scan", "Sparkify.Ingest", new Dictionary<string, string?>(environment)
        {
            ["Sparkify__Ingest__Mode"] = "Watch",
            ["Sparkify__Ingest__WatchIntervalSeconds"] = settings.ScanIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        if (notifications)
        {
            workers.Add(pipeline.StartWorker("ingest-notifications", "Sparkify.Ingest", new Dictionary<string, string?>(environment)
            {
                ["Sparkify__Ingest__Mode"] = "Notifications",
                ["Sparkify__Ingest__ArrivalsQueueName"] = ArrivalsQueue,
            }));
        }
        try
        {
            foreach (var worker in workers)
            {
                await worker.WaitUntilRunningAsync(cancellationToken);
            }
            await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            if (await WaitForSongsAsync(dataSource, workers, cancellationToken) is { } songsFailure)
            {
                return FreshnessRun.From(name, setup, [], songsFailure);
            }
            var dropped = notifications ? EventDrops.Choose(logs.Count, settings.DropShare, seed: 42) : Enumerable.Range(0, logs.Count).ToHashSet();
            await progress.WriteLineAsync(
                $"Freshness, {name}: PUT {logs.Count} log files at {settings.Rate:0.##}/s" + (notifications ? $", {dropped.Count} events dropped..." : "..."));
            var deadline = TimeSpan.FromSeconds(2 * settings.ScanIntervalSeconds + 120);
            var (files, failure) = await MeasureAsync(s3, sqs, arrivalsUrl, dataSource, workers, logs, dropped, settings.Rate, deadline, cancellationToken);
            var run = FreshnessRun.From(name, setup, files, failure);
            await progress.WriteLineAsync($"Freshness, {name}: {run.FilesVisible} of {run.FilesPut} visible; all files {run.All}");
            return notifications ? run : run with
            {
                DerivedIntervalSeconds = settings.DeployedScanIntervalSeconds,
                DerivedAtSchedule = ScheduledScanEstimate.Derive(
                    [.. files.Where(f => f.DiscoveryToVisibleSeconds is not null).Select(f => f.DiscoveryToVisibleSeconds!.Value)],
                    settings.DeployedScanIntervalSeconds),
            };
        }
        finally
        {
            // Ingest first, so that nothing is published to a stopped Transform.
            foreach (var worker in Enumerable.Reverse(workers))
            {
                LocalPipeline.Stop(worker.Process);
            }
        }
    }

    /// <summary>The first scan finds the songs: the arrivals start once their batch is complete.</summary>
    private static async Task<string?> WaitForSongsAsync(NpgsqlDataSource dataSource, IReadOnlyList<LocalPipeline.Worker> workers,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < SongsDeadline)
        {
            if (workers.Select(w => w.Exited()).FirstOrDefault(e => e is not null) is { } exited)
            {
                return exited;
            }
            await using var command = dataSource.CreateCommand("SELECT status FROM batches WHERE status NOT IN ('open', 'loading_star') ORDER BY batch_id LIMIT 1");
            switch (await command.ExecuteScalarAsync(cancellationToken))
            {
                case "completed":
                    return null;
                case string status:
                    return $"the songs' batch ended {status}";
            }
            await Task.Delay(PollEvery, cancellationToken);
        }
        return $"the songs' batch was not complete after {SongsDeadline.TotalMinutes:0} minutes";
    }

    private static async Task<(IReadOnlyList<FileFreshness> Files, string? Failure)> MeasureAsync(
        IAmazonS3 s3, IAmazonSQS sqs, string? arrivalsUrl, NpgsqlDataSource dataSource, IReadOnlyList<LocalPipeline.Worker> workers,
        IReadOnlyList<(string Path, string Key)> logs, IReadOnlySet<int> dropped, double rate, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var putAt = new long?[logs.Count];
        var visibleAt = new long?[logs.Count];
        var fileKeys = logs.Select(l => S3Keys.Of(Bucket, l.Key)).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var arrivals = ArriveAsync(s3, sqs, arrivalsUrl, logs, dropped, rate, putAt, stop.Token);
        string? failure = null;
        long? lastPut = null;
        while (true)
        {
            var polledAt = Stopwatch.GetTimestamp();
            var pending = Enumerable.Range(0, logs.Count).Where(i => putAt[i] is not null && visibleAt[i] is null).ToList();
            if (pending.Count > 0)
            {
                foreach (var key in await VisibleAsync(dataSource, [.. pending.Select(i => fileKeys[i])], cancellationToken))
                {
                    visibleAt[Array.IndexOf(fileKeys, key)] = polledAt;
                }
            }
            if (arrivals.IsFaulted)
            {
                failure = $"the arrivals failed: {arrivals.Exception!.GetBaseException().Message}";
                break;
            }
            if (workers.Select(w => w.Exited()).FirstOrDefault(e => e is not null) is { } exited)
            {
                failure = exited;
                break;
            }
            if (arrivals.IsCompleted)
            {
                lastPut ??= Stopwatch.GetTimestamp();
                if (visibleAt.All(v => v is not null) || Stopwatch.GetElapsedTime(lastPut.Value) > deadline)
                {
                    break;
                }
            }
            var wait = PollEvery - Stopwatch.GetElapsedTime(polledAt);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
        }
        await stop.CancelAsync();
        try
        {
            await arrivals;
        }
        catch (Exception) when (failure is not null)
        {
            // Reported above.
        }

        // Wall-clock times of this process and of the database server are the same machine's clock.
        var origin = (Wall: DateTimeOffset.UtcNow, Ticks: Stopwatch.GetTimestamp());
        DateTimeOffset WallOf(long ticks) => origin.Wall - Stopwatch.GetElapsedTime(ticks, origin.Ticks);
        var batches = await BatchesAsync(dataSource, fileKeys, cancellationToken);
        var files = new List<FileFreshness>();
        for (var i = 0; i < logs.Count; i++)
        {
            if (putAt[i] is not { } put)
            {
                continue;
            }
            var latency = visibleAt[i] is { } seen ? Stopwatch.GetElapsedTime(put, seen).TotalSeconds : (double?)null;
            var batch = batches.GetValueOrDefault(fileKeys[i]);
            var discoveryToVisible = visibleAt[i] is { } visible && batch.CreatedAt is { } opened ? (WallOf(visible) - opened).TotalSeconds : (double?)null;
            files.Add(new FileFreshness(logs[i].Key, !dropped.Contains(i), latency, batch.ByEvents, discoveryToVisible));
        }
        return (files, failure);
    }

    /// <summary>One PUT every 1/rate seconds (on a fixed schedule, not after the previous one), then its event unless dropped.</summary>
    private static async Task ArriveAsync(IAmazonS3 s3, IAmazonSQS sqs, string? arrivalsUrl, IReadOnlyList<(string Path, string Key)> logs,
        IReadOnlySet<int> dropped, double rate, long?[] putAt, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var puts = new List<Task>();
        for (var i = 0; i < logs.Count; i++)
        {
            var wait = TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            puts.Add(PutAsync(i));
        }
        await Task.WhenAll(puts);

        async Task PutAsync(int i)
        {
            var (path, key) = logs[i];
            var response = await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, FilePath = path }, cancellationToken);
            putAt[i] = Stopwatch.GetTimestamp();
            if (arrivalsUrl is not null && !dropped.Contains(i))
            {
                await S3EventNotifications.PostObjectsCreatedAsync(sqs, arrivalsUrl, Bucket,
                    [new CreatedObject(key, new FileInfo(path).Length, response.ETag)], cancellationToken);
            }
        }
    }

    /// <summary>Which of these files have their plays in songplays: taken in by a committed star load, plays there.</summary>
    private static async Task<List<string>> VisibleAsync(NpgsqlDataSource dataSource, string[] fileKeys, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT f.file_key FROM load_files f JOIN star_files s USING (file_id)
            WHERE f.file_key = ANY($1) AND f.status = 'loaded' AND s.batch_id IS NOT NULL AND s.retired_by_batch_id IS NULL
              AND EXISTS (SELECT FROM songplays p WHERE p.file_id = f.file_id)
            """);
        command.Parameters.Add(new() { Value = fileKeys });
        var visible = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            visible.Add(reader.GetString(0));
        }
        return visible;
    }

    /// <summary>Each file's first batch: whether the arrivals queue opened it, and when.</summary>
    private static async Task<Dictionary<string, (bool ByEvents, DateTimeOffset? CreatedAt)>> BatchesAsync(
        NpgsqlDataSource dataSource, string[] fileKeys, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT ON (q.file_key) q.file_key, b.source LIKE 's3-events://%', b.created_at
            FROM batch_files q JOIN batches b USING (batch_id)
            WHERE q.file_key = ANY($1)
            ORDER BY q.file_key, b.batch_id
            """);
        command.Parameters.Add(new() { Value = fileKeys });
        var batches = new Dictionary<string, (bool, DateTimeOffset?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            batches[reader.GetString(0)] = (reader.GetBoolean(1), reader.GetFieldValue<DateTimeOffset>(2));
        }
        return batches;
    }
}
