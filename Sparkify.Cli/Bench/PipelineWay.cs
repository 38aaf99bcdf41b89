using System.Diagnostics;
using Amazon.Runtime;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.DevTools;

namespace Sparkify.Cli.Bench;

/// <summary>
/// The full pipeline: fauxqs (local S3 + SQS), the data uploaded, the Transform worker started (as deployed, it is
/// already running when files arrive), then — timed from here to batch-complete — the Ingest worker run once.
/// </summary>
internal static class PipelineWay
{
    public static async Task<WayOutcome> RunAsync(string folder, string connectionString, CancellationToken cancellationToken)
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var ingestDll = LocalTools.WorkerDll(root, "Sparkify.Ingest");
        var transformDll = LocalTools.WorkerDll(root, "Sparkify.Transform");
        var node = LocalTools.FauxqsNode(root);
        foreach (var required in new[] { ingestDll, transformDll, node })
        {
            if (!File.Exists(required))
            {
                return new(0, [], $"{required} is missing: build the solution and run scripts/ensure-fauxqs.sh (scripts/bench.sh does both)");
            }
        }

        using var fauxqs = ChildProcess.Start(node, ["--no-warnings", Path.Combine(LocalTools.FauxqsFolder(root), "launch.mjs"), "0"], new Dictionary<string, string?>());
        var transform = default(Process);
        try
        {
            var serviceUrl = (await fauxqs.StandardOutput.ReadLineAsync(cancellationToken))?.Split(' ').Last()
                ?? throw new InvalidOperationException("fauxqs did not start");
            var options = new PipelineOptions { Bucket = "sparkify-bench", AwsServiceUrl = serviceUrl };
            var credentials = new BasicAWSCredentials("local", "local");
            using (var s3 = AwsClients.CreateS3(options, credentials))
            using (var sqs = AwsClients.CreateSqs(options, credentials))
            {
                await QueueSetup.EnsureAsync(s3, sqs, options, maxReceives: 3, visibilityTimeoutSeconds: 120, cancellationToken);
                await QueueSetup.UploadFolderAsync(s3, options.Bucket, folder, cancellationToken);
            }

            var environment = new Dictionary<string, string?>
            {
                ["ConnectionStrings__warehouse"] = connectionString,
                ["Sparkify__Bucket"] = options.Bucket,
                ["Sparkify__AwsServiceUrl"] = serviceUrl,
                ["AWS_ACCESS_KEY_ID"] = "local",
                ["AWS_SECRET_ACCESS_KEY"] = "local",
                ["Sparkify__Transform__WaitTimeSeconds"] = "1",
                ["Sparkify__Transform__VisibilityTimeoutSeconds"] = "120",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            // A deployed Transform is already running when files arrive: start it first and time from the Ingest run.
            transform = ChildProcess.Start("dotnet", [transformDll], environment);
            var transformPeak = Task.Run(() => ChildProcess.SamplePeakRssUntilExitAsync(transform, CancellationToken.None), CancellationToken.None);
            await WaitForSchemaAsync(connectionString, transform, cancellationToken);
            var stopwatch = Stopwatch.StartNew();
            var cpuAtStart = (Transform: ChildProcess.ReadCpuSeconds(transform.Id) ?? 0, Fauxqs: ChildProcess.ReadCpuSeconds(fauxqs.Id) ?? 0,
                Postgres: ChildProcess.CpuSecondsOfCommand("postgres"));
            var ingest = await ChildProcess.RunAsync("dotnet", [ingestDll], environment, cancellationToken);
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
            Stop(transform);
            var peaks = new Dictionary<string, long>
            {
                ["ingest"] = ingest.PeakRssBytes, ["transform"] = await transformPeak, ["fauxqs"] = fauxqsPeak,
            };
            // With the workers stopped, what the endpoint does alone bounds what the pipeline can do through it.
            var rates = await EndpointProbe.MeasureAsync(options, credentials, fauxqs.Id, cancellationToken);
            return new(seconds, peaks, status == "completed" ? null : $"batch ended {status}", rates) { CpuSeconds = cpu };
        }
        finally
        {
            if (transform is { HasExited: false })
            {
                transform.Kill(entireProcessTree: true);
            }
            transform?.Dispose();
            fauxqs.Kill(entireProcessTree: true);
        }
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

    /// <summary>Waits until the Transform worker has applied the migrations, i.e. has started.</summary>
    private static async Task WaitForSchemaAsync(string connectionString, Process transform, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        while (!transform.HasExited)
        {
            await using var command = dataSource.CreateCommand("SELECT to_regclass('batch_files') IS NOT NULL");
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private static void Stop(Process process)
    {
        // SIGTERM: the worker's host stops gracefully.
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
