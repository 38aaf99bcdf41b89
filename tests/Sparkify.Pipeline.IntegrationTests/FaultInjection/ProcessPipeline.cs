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
/// message's visibility is 5 s, a dead star-load claim is taken over after 5 s, and a dependency that is away is asked
/// again at least every 4 s.
/// </summary>
internal sealed class ProcessPipeline : IAsyncDisposable
{
    public const int VisibilityTimeoutSeconds = 5;
    public const int MaxReceives = 4;

    /// <summary>The line a Transform logs once its start-up checks passed (the schema checked, the queue checked).</summary>
    public static bool Receiving(string line) => line.Contains("Receiving from", StringComparison.Ordinal);

    private readonly TempFolder _state;
    private readonly List<WorkerProcess> _workers = [];
    private readonly Dictionary<string, WorkerProcess> _named = [];
    private readonly List<AwsEndpointProxy> _proxies = [];
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
            // A dependency back is noticed within 4 s, not after a backoff grown to 30 s.
            ["Sparkify__Retry__MaxDelaySeconds"] = "4",
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
        // What the migration task does before the workers start (they only check the schema).
        await using (var migrationSource = NpgsqlDataSource.Create(connectionString))
        {
            await new SchemaMigrator(migrationSource).MigrateAsync();
        }
        var options = new PipelineOptions
        {
            Bucket = "sparkify-faults", QueueName = "faults-files",
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

    /// <summary>The worker started with this name.</summary>
    public WorkerProcess Transform(string name) => _named[name];

    /// <summary>A proxy in front of this run's S3/SQS endpoint, for one worker to talk through (disposed with the run).</summary>
    public async Task<AwsEndpointProxy> ProxyAsync()
    {
        var proxy = await AwsEndpointProxy.StartAsync(Fauxqs.ServiceUrl);
        _proxies.Add(proxy);
        return proxy;
    }

    /// <param name="name">The worker's application_name in pg_stat_activity, so a test can tell its sessions apart.</param>
    /// <param name="through">Talk to S3/SQS through this proxy.</param>
    /// <param name="overrides">Environment variables set for this worker on top of the run's.</param>
    public WorkerProcess StartTransform(string? name = null, AwsEndpointProxy? through = null, IReadOnlyDictionary<string, string>? overrides = null) =>
        Start("Sparkify.Transform", overrides, name, through);

    public WorkerProcess StartIngest(IReadOnlyDictionary<string, string>? overrides = null, AwsEndpointProxy? through = null) =>
        Start("Sparkify.Ingest", overrides, null, through);

    private WorkerProcess Start(string project, IReadOnlyDictionary<string, string>? overrides, string? name, AwsEndpointProxy? through)
    {
        var environment = new Dictionary<string, string>(_environment);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        if (name is not null)
        {
            environment["ConnectionStrings__warehouse"] = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = name }.ConnectionString;
        }
        if (through is not null)
        {
            environment["Sparkify__AwsServiceUrl"] = through.ServiceUrl;
        }
        var worker = WorkerProcess.Start(project, environment);
        _workers.Add(worker);
        if (name is not null)
        {
            _named[name] = worker;
        }
        return worker;
    }

    /// <summary>
    /// Polls a boolean query until it is true. Errors (the database may be down on purpose) count as false. The states
    /// waited for last (a worker held at a chosen point, a batch ended): the poll need not be fast to see them.
    /// </summary>
    public async Task WaitUntilAsync(string sql, TimeSpan timeout, string what) =>
        await WaitForRowAsync($"SELECT 1 WHERE ({sql})", timeout, what);

    /// <summary>Polls a query until it returns a row, and returns that row's values.</summary>
    public async Task<object?[]> WaitForRowAsync(string sql, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            try
            {
                await using var command = DataSource.CreateCommand(sql);
                await using var reader = await command.ExecuteReaderAsync();
                if (await reader.ReadAsync())
                {
                    var row = new object?[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }
                    return row;
                }
            }
            catch (NpgsqlException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Not reached within {timeout.TotalSeconds:F0} s: {what}.\n{await ActivityAsync()}\n{Diagnostics()}");
    }

    /// <summary>What every worker's database session was doing when a wait ran out: the first thing to read of a failure.</summary>
    private async Task<string> ActivityAsync()
    {
        try
        {
            await using var command = DataSource.CreateCommand(
                "SELECT application_name, state, wait_event_type, wait_event, backend_xid::text, left(query, 120) FROM pg_stat_activity " +
                "WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY application_name");
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string> { "--- database sessions ---" };
            while (await reader.ReadAsync())
            {
                lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "-" : reader.GetValue(i).ToString())));
            }
            return string.Join('\n', lines);
        }
        catch (NpgsqlException exception)
        {
            return $"--- database sessions: not read ({exception.Message}) ---";
        }
    }

    /// <summary>
    /// Runs a statement in a transaction of the test's own that stays open (its locks held) until the result is
    /// disposed: a worker that needs those locks waits, at a known point.
    /// </summary>
    public async Task<IAsyncDisposable> HoldAsync(string sql)
    {
        var connection = await DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }
        return new Held(connection, transaction);
    }

    private sealed class Held(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Waits until the session <paramref name="pid"/> has ended, and returns what became of its transaction
    /// <paramref name="xid"/>: 'aborted', 'committed' (pg_xact_status).
    /// </summary>
    public async Task<string> TransactionOutcomeAsync(int pid, string xid, TimeSpan timeout)
    {
        await WaitUntilAsync($"NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = {pid})", timeout, $"session {pid} ended");
        // A fresh cluster is in its first xid epoch: the 32-bit xid is the 64-bit one.
        return await ScalarAsync<string>($"SELECT pg_xact_status('{long.Parse(xid, CultureInfo.InvariantCulture)}'::xid8)");
    }

    /// <summary>Every batch has ended (and there is at least one).</summary>
    public Task WaitForBatchesToEndAsync(TimeSpan timeout) => WaitUntilAsync(
        "SELECT count(*) > 0 AND bool_and(status IN ('completed', 'completed_with_failures', 'failed')) FROM batches", timeout, "every batch ended");

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
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }
        await DataSource.DisposeAsync();
        await Fauxqs.DisposeAsync();
        await Postgres.DisposeAsync();
        _state.Dispose();
    }
}
