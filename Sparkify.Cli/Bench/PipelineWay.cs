using System.Diagnostics;
using Npgsql;
using Sparkify.DevTools;

namespace Sparkify.Cli.Bench;

/// <summary>
/// The full pipeline: fauxqs (local S3 + SQS), the schema migrated, the data uploaded, the Transform worker started (as
/// deployed, it is already running when files arrive), then — timed from here to batch-complete — the Ingest worker run once.
/// </summary>
internal static class PipelineWay
{
    public static async Task<WayOutcome> RunAsync(string folder, string connectionString, CancellationToken cancellationToken)
    {
        if (LocalPipeline.MissingTools() is { } missing)
        {
            return new(0, [], missing);
        }
        await using var pipeline = await LocalPipeline.StartAsync(connectionString, "sparkify-bench", visibilityTimeoutSeconds: 120, cancellationToken);
        using (var s3 = pipeline.CreateS3())
        {
            await QueueSetup.UploadFolderAsync(s3, pipeline.Options.Bucket, folder, cancellationToken);
        }
        var environment = pipeline.WorkerEnvironment();
        environment["Sparkify__Transform__WaitTimeSeconds"] = "1";
        environment["Sparkify__Transform__VisibilityTimeoutSeconds"] = "120";
        // A deployed Transform is already running when files arrive: start it first and time from the Ingest run.
        var transformWorker = pipeline.StartWorker("transform", "Sparkify.Transform", environment);
        var transform = transformWorker.Process;
        var transformPeak = Task.Run(() => ChildProcess.SamplePeakRssUntilExitAsync(transform, CancellationToken.None), CancellationToken.None);
        try
        {
            await transformWorker.WaitUntilRunningAsync(cancellationToken);
        }
        catch (InvalidOperationException exited)
        {
            return new(0, [], exited.Message);
        }
        var fauxqs = pipeline.Fauxqs;
        var stopwatch = Stopwatch.StartNew();
        var cpuAtStart = (Transform: ChildProcess.ReadCpuSeconds(transform.Id) ?? 0, Fauxqs: ChildProcess.ReadCpuSeconds(fauxqs.Id) ?? 0,
            Postgres: ChildProcess.CpuSecondsOfCommand("postgres"));
        var ingest = await ChildProcess.RunAsync("dotnet", [pipeline.WorkerDll("Sparkify.Ingest")], environment, cancellationToken);
        if (ingest.ExitCode != 0)
        {
            return new(stopwatch.Elapsed.TotalSeconds, [], $"ingest exit code {ingest.ExitCode}: {BenchRunner.Last(ingest.Error + ingest.Output)}");
        }
        var status = await WaitForBatchesAsync(connectionString, transform, cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var cpu = new Dictionary<string, double>
        {
            ["ingest"] = ingest.CpuSeconds,
            ["transform"] = (ChildProcess.ReadCpuSeconds(transform.Id) ?? 0) - cpuAtStart.Transform,
            ["fauxqs"] = (ChildProcess.ReadCpuSeconds(fauxqs.Id) ?? 0) - cpuAtStart.Fauxqs,
            ["postgres"] = ChildProcess.CpuSecondsOfCommand("postgres") - cpuAtStart.Postgres,
        };
        await WaitForStarLoadTimeAsync(connectionString, cancellationToken);
        var fauxqsPeak = ChildProcess.ReadPeakRss(fauxqs.Id);
        LocalPipeline.Stop(transform);
        var peaks = new Dictionary<string, long>
        {
            ["ingest"] = ingest.PeakRssBytes, ["transform"] = await transformPeak, ["fauxqs"] = fauxqsPeak,
        };
        // With the workers stopped, what the endpoint does alone bounds what the pipeline can do through it.
        var rates = await EndpointProbe.MeasureAsync(pipeline.Options, pipeline.Credentials, fauxqs.Id, cancellationToken);
        return new(seconds, peaks, status == "completed" ? null : $"batch ended {status}", rates) { CpuSeconds = cpu };
    }

    private static async Task<string> WaitForBatchesAsync(string connectionString, Process transform, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        while (true)
        {
            if (transform.HasExited)
            {
                return $"unfinished: transform exited with code {transform.ExitCode}";
            }
            await using var command = dataSource.CreateCommand(
                "SELECT status FROM batches WHERE status NOT IN ('open', 'loading_star') ORDER BY batch_id DESC LIMIT 1");
            if (await command.ExecuteScalarAsync(cancellationToken) is string status)
            {
                return status;
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The star load's busy time is recorded just after the batch completes: give it a moment before stopping.</summary>
    private static async Task WaitForStarLoadTimeAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT FROM batch_phase_times WHERE phase = $1)");
            command.Parameters.Add(new() { Value = Warehouse.Bookkeeping.PhaseTimes.StarLoad });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
