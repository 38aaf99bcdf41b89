using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Passwords;
using Sparkify.Testing;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Schema;
using Sparkify.Warehouse.Staging;
using Sparkify.DevTools;

namespace Sparkify.Deploy.Tests.Rehearsal;

/// <summary>
/// One deployment as the stack describes it, on loopback: a database of its own, a bucket and queues of their own
/// (the queue's RedrivePolicy and visibility timeout read from the template), the data uploaded, and the task
/// definitions' containers run by podman.
/// </summary>
internal sealed class RehearsedDeployment : IAsyncDisposable
{
    private readonly RehearsalFixture _fixture;
    private readonly Dictionary<string, string> _resolved;
    private readonly Dictionary<string, string> _local;
    private readonly List<PodmanContainer> _containers = [];
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private RehearsedDeployment(RehearsalFixture fixture, string connectionString, PipelineOptions options, int files)
    {
        _fixture = fixture;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Files = files;
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        // What CloudFormation would fill in: the database endpoint (in the stack's connection string, TLS settings
        // and all), the bucket and queue names, the region. The usernames and passwords come as the task definitions'
        // secrets, as on ECS.
        _resolved = new Dictionary<string, string>
        {
            ["ConnectionStrings__warehouse"] = LocalConnectionString(fixture, database),
            // The workers read their password from Secrets Manager on AWS; here they get it as PGPASSWORD (RunAsync).
            [WarehousePasswordSettings.SecretKey] = "",
            ["Sparkify__Bucket"] = options.Bucket,
            ["Sparkify__QueueName"] = options.QueueName,
            ["Sparkify__AwsRegion"] = "us-east-1",
        };
        // Only a local run needs these: the S3/SQS endpoint on loopback, which accepts any credentials.
        _local = new Dictionary<string, string>
        {
            ["Sparkify__AwsServiceUrl"] = fixture.Fauxqs.ServiceUrl,
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
        };
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The workers' role's password, as the stack's worker secret would hold it.</summary>
    public string WorkerPassword { get; } = "rehearsal-worker-" + Guid.NewGuid().ToString("N")[..12];
    /// <summary>How many source files the deployment must load.</summary>
    public int Files { get; }

    public static async Task<RehearsedDeployment> CreateAsync(RehearsalFixture fixture, string dataFolder)
    {
        var connectionString = await fixture.Postgres.CreateDatabaseAsync("rehearsal");
        var id = Guid.NewGuid().ToString("N")[..8];
        var options = new PipelineOptions
        {
            Bucket = $"rehearsal-{id}", QueueName = $"files-{id}", AwsServiceUrl = fixture.Fauxqs.ServiceUrl,
        };
        var queue = fixture.App.Resources("AWS::SQS::Queue").Select(q => q.Resource.GetProperty("Properties"))
            // The file queue (the arrivals queue has a RedrivePolicy too).
            .Single(p => p.TryGetProperty("RedrivePolicy", out _) && p.TryGetProperty("QueueName", out var name)
                         && name.ValueKind == System.Text.Json.JsonValueKind.String && name.GetString()!.EndsWith("-files", StringComparison.Ordinal));
        var credentials = new BasicAWSCredentials("local", "local");
        using var s3 = AwsClients.CreateS3(options, credentials);
        using var sqs = AwsClients.CreateSqs(options, credentials);
        await QueueSetup.EnsureAsync(s3, sqs, options,
            queue.GetProperty("RedrivePolicy").GetProperty("maxReceiveCount").GetInt32(), queue.GetProperty("VisibilityTimeout").GetInt32());
        await QueueSetup.UploadFolderAsync(s3, options.Bucket, dataFolder);
        // What the product is to load: the .json files below song_data/ and log_data/ (the sample has one more file at its root).
        var sources = new[] { "song_data", "log_data" }.Select(f => Path.Combine(dataFolder, f)).Where(Directory.Exists)
            .Sum(f => Directory.EnumerateFiles(f, "*.json", SearchOption.AllDirectories).Count());
        return new RehearsedDeployment(fixture, connectionString, options, sources);
    }

    /// <summary>Runs a task definition's container: in the background, or to its end (the migration task).</summary>
    public async Task<PodmanContainer> RunAsync(string taskPrefix, bool detach = true)
    {
        var task = _fixture.Task(taskPrefix);
        var environment = task.ResolveEnvironment(_resolved);
        foreach (var (name, value) in _local)
        {
            environment[name] = value;
        }
        // The split of logins the stack makes: the migration as the owner (the RDS master user), which creates the
        // workers' role; the workers as that role.
        var migration = task.SecretNames.Contains(WorkerRole.PasswordVariable);
        var secrets = new Dictionary<string, string>
        {
            ["PGUSER"] = migration ? "postgres" : WorkerRole.Name,
            ["PGPASSWORD"] = RehearsalFixture.AdminPassword,
            [WorkerRole.PasswordVariable] = WorkerPassword,
        };
        if (!migration)
        {
            environment["PGPASSWORD"] = WorkerPassword;
        }
        var container = await PodmanContainer.StartAsync($"sparkify-{_id}-{taskPrefix.ToLowerInvariant()}-{_containers.Count}", task,
            _fixture.Registry, environment, secrets, _fixture.Podman, detach);
        _containers.Add(container);
        return container;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task WaitUntilAsync(string sql, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            try
            {
                if (await ScalarAsync<bool>(sql))
                {
                    return;
                }
            }
            catch (PostgresException)
            {
                // Tables not there yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Not reached within {timeout.TotalSeconds:F0} s: {what}.\n{await DiagnosticsAsync()}");
    }

    public Task WaitForBatchesToEndAsync(TimeSpan timeout) => WaitUntilAsync(
        "SELECT count(*) > 0 AND bool_and(status NOT IN ('open', 'loading_star')) FROM batches", timeout, "every batch ended");

    public async Task<string> DiagnosticsAsync()
    {
        var logs = new List<string>();
        foreach (var container in _containers)
        {
            logs.Add(await container.LogsAsync());
        }
        return string.Join("\n", logs);
    }

    /// <summary>Each file recorded as loaded exactly once, none failed, every batch completed.</summary>
    public async Task AssertEveryFileLoadedOnceAsync()
    {
        Assert.Equal(Files, await ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(Files, await ScalarAsync<long>("SELECT count(DISTINCT file_key) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'failed'"));
        Assert.Equal("completed", await ScalarAsync<string>("SELECT string_agg(DISTINCT status, ',') FROM batches"));
    }

    /// <summary>What a clean `sparkify load` of the same folder gives, in another database on the same server.</summary>
    public static async Task<WarehouseSnapshot> CleanRunAsync(RehearsalFixture fixture, string dataFolder)
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.Postgres.CreateDatabaseAsync("clean"));
        await new SchemaMigrator(dataSource).MigrateAsync();
        var report = await new WarehouseLoader(dataSource, new LoadOptions()).LoadAsync(dataFolder, await LocalSourceFiles.FindAsync(dataFolder));
        Assert.Equal("completed", report.Status);
        return await WarehouseSnapshot.TakeAsync(dataSource);
    }

    /// <summary>The stack's connection string for the tasks, with the local server's address and this deployment's database.</summary>
    private static string LocalConnectionString(RehearsalFixture fixture, NpgsqlConnectionStringBuilder database)
    {
        var template = DataProtectionTests.EnvironmentValue(fixture.App.Container("WorkersTransformTask"), "ConnectionStrings__warehouse");
        var text = string.Concat(template.GetProperty("Fn::Join")[1].EnumerateArray().Select(part => part.ValueKind == System.Text.Json.JsonValueKind.String
            ? part.GetString()
            : TemplateReferences.Describe(part) switch
            {
                "WarehouseInstance.Endpoint.Address" => "127.0.0.1",
                "WarehouseInstance.Endpoint.Port" => database.Port.ToString(CultureInfo.InvariantCulture),
                var other => throw new InvalidOperationException($"the rehearsal has no local value for {other} in the connection string"),
            }));
        return new NpgsqlConnectionStringBuilder(text) { Database = database.Database }.ConnectionString;
    }

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _containers)
        {
            await container.DisposeAsync();
        }
        await DataSource.DisposeAsync();
    }
}
