using System.Diagnostics;
using Amazon.Runtime;
using Sparkify.DevTools;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Cli.Bench;

/// <summary>
/// The pipeline as separate processes on this machine, for the bench's pipeline scenarios: fauxqs (local S3 + SQS)
/// with the bucket and the file queue, the schema migrated (as the migration task does before the workers), and the
/// workers started from the checkout's build against a given database. Disposing kills whatever is still running.
/// </summary>
internal sealed class LocalPipeline : IAsyncDisposable
{
    private readonly List<Worker> _workers = [];
    private readonly string _root;
    private readonly string _connectionString;

    private LocalPipeline(string root, Process fauxqs, string serviceUrl, string connectionString, PipelineOptions options)
    {
        _root = root;
        Fauxqs = fauxqs;
        ServiceUrl = serviceUrl;
        _connectionString = connectionString;
        Options = options;
    }

    public Process Fauxqs { get; }

    public string ServiceUrl { get; }

    public PipelineOptions Options { get; }

    public AWSCredentials Credentials { get; } = new BasicAWSCredentials("local", "local");

    /// <summary>What is missing for the pipeline to run here (built workers, fauxqs), or null.</summary>
    public static string? MissingTools()
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var missing = new[] { LocalTools.WorkerDll(root, "Sparkify.Ingest"), LocalTools.WorkerDll(root, "Sparkify.Transform"), LocalTools.FauxqsNode(root) }
            .FirstOrDefault(path => !File.Exists(path));
        return missing is null ? null : $"{missing} is missing: build the solution and run scripts/ensure-fauxqs.sh (scripts/bench.sh does both)";
    }

    public static async Task<LocalPipeline> StartAsync(string connectionString, string bucket, int visibilityTimeoutSeconds,
        CancellationToken cancellationToken)
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var fauxqs = ChildProcess.Start(LocalTools.FauxqsNode(root),
            ["--no-warnings", Path.Combine(LocalTools.FauxqsFolder(root), "launch.mjs"), "0"], new Dictionary<string, string?>());
        try
        {
            var serviceUrl = (await fauxqs.StandardOutput.ReadLineAsync(cancellationToken))?.Split(' ').Last()
                ?? throw new InvalidOperationException("fauxqs did not start");
            var pipeline = new LocalPipeline(root, fauxqs, serviceUrl, connectionString, new PipelineOptions { Bucket = bucket, AwsServiceUrl = serviceUrl });
            using (var s3 = pipeline.CreateS3())
            using (var sqs = pipeline.CreateSqs())
            {
                await QueueSetup.EnsureAsync(s3, sqs, pipeline.Options, WorkerDefaults.MaxReceives, visibilityTimeoutSeconds, cancellationToken);
            }
            await using (var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString))
            {
                await new SchemaMigrator(dataSource).MigrateAsync(cancellationToken);
            }
            return pipeline;
        }
        catch
        {
            fauxqs.Kill(entireProcessTree: true);
            fauxqs.Dispose();
            throw;
        }
    }

    public Amazon.S3.IAmazonS3 CreateS3() => AwsClients.CreateS3(Options, Credentials);

    public Amazon.SQS.IAmazonSQS CreateSqs() => AwsClients.CreateSqs(Options, Credentials);

    /// <summary>The settings every worker gets: the database, the bucket, the local endpoint; warnings only in their logs.</summary>
    public Dictionary<string, string?> WorkerEnvironment() => new()
    {
        ["ConnectionStrings__warehouse"] = _connectionString,
        ["Sparkify__Bucket"] = Options.Bucket,
        ["Sparkify__AwsServiceUrl"] = ServiceUrl,
        ["AWS_ACCESS_KEY_ID"] = "local",
        ["AWS_SECRET_ACCESS_KEY"] = "local",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public string WorkerDll(string project) => LocalTools.WorkerDll(_root, project);

    /// <summary>
    /// Starts a worker (Sparkify.Ingest or Sparkify.Transform) with these settings and a heartbeat file of its own (its
    /// loop's first beat says it is running); its output is read as it comes.
    /// </summary>
    public Worker StartWorker(string name, string project, IDictionary<string, string?> environment)
    {
        var heartbeat = Path.Combine(Path.GetTempPath(), $"sparkify-bench-{name}-{Guid.NewGuid():N}.heartbeat");
        var settings = new Dictionary<string, string?>(environment) { ["Sparkify__Heartbeat__Path"] = heartbeat };
        var worker = new Worker(name, ChildProcess.Start("dotnet", [WorkerDll(project)], settings), heartbeat);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>SIGTERM, as a scheduler stops a worker; killed if it has not stopped within 10 s.</summary>
    public static void Stop(Process process)
    {
        if (process.HasExited)
        {
            return;
        }
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            if (!worker.Process.HasExited)
            {
                worker.Process.Kill(entireProcessTree: true);
            }
            worker.Process.Dispose();
            File.Delete(worker.HeartbeatPath);
        }
        Fauxqs.Kill(entireProcessTree: true);
        Fauxqs.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A started worker and the last lines it wrote (both streams drained, so a chatty worker never blocks on a full pipe).</summary>
    public sealed class Worker
    {
        private const int KeptLines = 20;
        private readonly Queue<string> _tail = new();

        public Worker(string name, Process process, string heartbeatPath)
        {
            Name = name;
            Process = process;
            HeartbeatPath = heartbeatPath;
            _ = DrainAsync(process.StandardOutput);
            _ = DrainAsync(process.StandardError);
        }

        public string Name { get; }

        public Process Process { get; }

        public string HeartbeatPath { get; }

        /// <summary>Waits for the worker's first heartbeat: it has started and its loop runs.</summary>
        public async Task WaitUntilRunningAsync(CancellationToken cancellationToken)
        {
            while (!File.Exists(HeartbeatPath))
            {
                if (Exited() is { } reason)
                {
                    throw new InvalidOperationException(reason);
                }
                await Task.Delay(50, cancellationToken);
            }
        }

        public string Tail()
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }

        /// <summary>Why the bench cannot go on, if the worker has exited.</summary>
        public string? Exited() => Process.HasExited ? $"{Name} exited with code {Process.ExitCode}: {BenchRunner.Last(Tail())}" : null;

        private async Task DrainAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_tail)
                {
                    _tail.Enqueue(line);
                    if (_tail.Count > KeptLines)
                    {
                        _tail.Dequeue();
                    }
                }
            }
        }
    }
}
