using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Npgsql;
using Sparkify.Testing;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Schema;
using Sparkify.Warehouse.Staging;
using Sparkify.DevTools;

namespace Sparkify.Pipeline.IntegrationTests.FaultInjection;

/// <summary>
/// One fault-injection run, all of it real and on loopback: its own PostgreSQL server and its own fauxqs (state kept
/// on disk, so an outage of either can be a stop and a restart), the data uploaded, and the workers as processes
/// configured by environment like deployed containers. Timeouts are short so that faults heal within seconds: a
/// message's visibility is 5 s and a dead star-load claim is taken over after 5 s.
/// </summary>
internal sealed class ProcessPipeline : IAsyncDisposable
{
    public const int VisibilityTimeoutSeconds = 5;
    public const int MaxReceives = 4;

    private readonly TempFolder _state;
    private readonly List<WorkerProcess> _workers = [];
    private readonly Dictionary<string, string> _environment;

    private ProcessPipeline(TempFolder state, PostgresServer postgres, FauxqsServer fauxqs, string connectionString,
        PipelineOptions options, int files)
    {
        _state = state;
        Postgres = postgres;
        Fauxqs = fauxqs;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Options = options;
        Files = files;
        _environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__warehouse"] = connectionString,
            ["Sparkify__Bucket"] = options.Bucket,
            ["Sparkify__QueueName"] = options.QueueName,
            ["Sparkify__DeadLetterQueueName"] = options.DeadLetterQueueName,
            ["Sparkify__AwsServiceUrl"] = fauxqs.ServiceUrl,
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            ["Sparkify__Ingest__Mode"] = "Once",
            ["Sparkify__Ingest__PublishCheckpointEvery"] = "50",
            ["Sparkify__Transform__WaitTimeSeconds"] = "1",
            ["Sparkify__Transform__VisibilityTimeoutSeconds"] = VisibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["Sparkify__Transform__RetryDelaySeconds"] = "1",
            ["Sparkify__Transform__MaxReceives"] = MaxReceives.ToString(CultureInfo.InvariantCulture),
            // A killed instance's claim is taken over soon; the star loads here take a second or two.
            ["Sparkify__Transform__StarLoadTakeoverSeconds"] = "20",
            ["Sparkify__Transform__StarLoadDeadlineSeconds"] = "15",
            ["Sparkify__Transform__StarLoadTimeoutSeconds"] = "15",
            ["Sparkify__Transform__MaxFilesPerGroup"] = "100",
            ["Logging__LogLevel__Default"] = "Information",
        };
    }

    public PostgresServer Postgres { get; }
    public FauxqsServer Fauxqs { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }
    public PipelineOptions Options { get; }

    /// <summary>How many files were uploaded.</summary>
    public int Files { get; private set; }

    /// <summary>Uploads more files (keys relative to <paramref name="dataFolder"/>), as new files arriving in the bucket.</summary>
    public async Task UploadAsync(string dataFolder)
    {
        var credentials = new BasicAWSCredentials("local", "local");
        using var s3 = AwsClients.CreateS3(Options, credentials);
        Files += await QueueSetup.UploadFolderAsync(s3, Options.Bucket, dataFolder);
    }

    public static async Task<ProcessPipeline> CreateAsync(string dataFolder, PostgresServerOptions? postgresOptions = null)
    {
        var state = new TempFolder();
        var postgres = await PostgresServer.StartAsync(postgresOptions ?? new PostgresServerOptions());
        var fauxqs = await FauxqsServer.StartAsync(Path.Combine(state.Path, "fauxqs"));
        var connectionString = await postgres.CreateDatabaseAsync("faults");
        var options = new PipelineOptions
        {
            Bucket = "sparkify-faults", QueueName = "faults-files", DeadLetterQueueName = "faults-files-dlq",
            AwsServiceUrl = fauxqs.ServiceUrl,
        };
        var credentials = new BasicAWSCredentials("local", "local");
        using var s3 = AwsClients.CreateS3(options, credentials);
        using var sqs = AwsClients.CreateSqs(options, credentials);
        await QueueSetup.EnsureAsync(s3, sqs, options, MaxReceives, VisibilityTimeoutSeconds);
        var files = await QueueSetup.UploadFolderAsync(s3, options.Bucket, dataFolder);
        return new ProcessPipeline(state, postgres, fauxqs, connectionString, options, files);
    }

    /// <summary>What a clean `sparkify load` of the same folder gives, in a database of its own on the same server.</summary>
    public async Task<WarehouseSnapshot> CleanRunAsync(string dataFolder)
    {
        await using var dataSource = NpgsqlDataSource.Create(await Postgres.CreateDatabaseAsync("clean"));
        await new SchemaMigrator(dataSource).MigrateAsync();
        var report = await new WarehouseLoader(dataSource, new LoadOptions()).LoadAsync(dataFolder, await LocalSourceFiles.FindAsync(dataFolder));
        Assert.Equal("completed", report.Status);
        return await WarehouseSnapshot.TakeAsync(dataSource);
    }

    public WorkerProcess StartTransform(IReadOnlyDictionary<string, string>? overrides = null) => Start("Sparkify.Transform", overrides);

    public WorkerProcess StartIngest(IReadOnlyDictionary<string, string>? overrides = null) => Start("Sparkify.Ingest", overrides);

    private WorkerProcess Start(string project, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var environment = new Dictionary<string, string>(_environment);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        var worker = WorkerProcess.Start(project, environment);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Polls a boolean query until it is true. Errors (the database may be down on purpose) count as false.</summary>
    public async Task WaitUntilAsync(string sql, TimeSpan timeout, string what, int pollMilliseconds = 20)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            try
            {
                await using var command = DataSource.CreateCommand(sql);
                if (await command.ExecuteScalarAsync() is true)
                {
                    return;
                }
            }
            catch (NpgsqlException)
            {
            }
            await Task.Delay(pollMilliseconds);
        }
        throw new TimeoutException($"Not reached within {timeout.TotalSeconds:F0} s: {what}.\n{Diagnostics()}");
    }

    /// <summary>Every batch has ended (and there is at least one).</summary>
    public Task WaitForBatchesToEndAsync(TimeSpan timeout) => WaitUntilAsync(
        "SELECT count(*) > 0 AND bool_and(status NOT IN ('open', 'loading_star')) FROM batches", timeout, "every batch ended", 200);

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The checks every scenario ends with: each file loaded exactly once, every batch completed (its checks passed).</summary>
    public async Task AssertEveryFileLoadedOnceAsync()
    {
        Assert.Equal(Files, await ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(Files, await ScalarAsync<long>("SELECT count(DISTINCT file_key) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'failed'"));
        Assert.True("completed" == await ScalarAsync<string>("SELECT string_agg(DISTINCT status || coalesce(': ' || error, ''), ', ') FROM batches"),
            await ScalarAsync<string>("SELECT string_agg(batch_id || ' ' || status || coalesce(': ' || error, ''), '; ') FROM batches"));
    }

    public string Diagnostics() => string.Join("\n", _workers.Select(w => w.RecentOutput()));

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
        await DataSource.DisposeAsync();
        await Fauxqs.DisposeAsync();
        await Postgres.DisposeAsync();
        _state.Dispose();
    }
}
