using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sparkify.Ingest;
using Sparkify.Pipeline.Hosting;
using Sparkify.Testing;
using Sparkify.Transform;
using Sparkify.Warehouse.Hosting;
using Sparkify.Warehouse.Schema;
using Sparkify.DevTools;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// One test's pipeline: its own database, bucket and queues on the shared PostgreSQL and fauxqs, and real Ingest
/// and Transform hosts built the way the workers' Program.cs builds them.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];
    private readonly Dictionary<string, string?> _settings;

    private PipelineHarness(Dictionary<string, string?> settings, PipelineOptions options, NpgsqlDataSource dataSource)
    {
        _settings = settings;
        Options = options;
        DataSource = dataSource;
        S3 = AwsClients.CreateS3(options);
        Sqs = AwsClients.CreateSqs(options);
    }

    public PipelineOptions Options { get; }
    public NpgsqlDataSource DataSource { get; }
    public IAmazonS3 S3 { get; }
    public IAmazonSQS Sqs { get; }

    /// <summary>The file queue's dead-letter queue (its RedrivePolicy target), which no worker setting names.</summary>
    public required string DeadLetterQueueName { get; init; }

    /// <param name="migrate">Create the warehouse tables (as the migration task would); false leaves the database empty.</param>
    /// <param name="deadLetterQueueName">The dead-letter queue's name (default: the file queue's with "-dlq").</param>
    public static async Task<PipelineHarness> CreateAsync(PostgresFixture postgres, FauxqsFixture fauxqs, int maxReceives = 3,
        IDictionary<string, string?>? extra = null, bool migrate = true, string? deadLetterQueueName = null)
    {
        var connection = await postgres.Server.CreateDatabaseAsync("pipeline");
        var id = Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:warehouse"] = connection,
            ["Sparkify:Bucket"] = $"sparkify-{id}",
            ["Sparkify:QueueName"] = $"files-{id}",
            ["Sparkify:AwsServiceUrl"] = fauxqs.Server.ServiceUrl,
            ["Sparkify:Transform:WaitTimeSeconds"] = "1",
            ["Sparkify:Transform:RetryDelaySeconds"] = "0",
            ["Sparkify:Transform:VisibilityTimeoutSeconds"] = "10",
            ["Sparkify:Transform:MaxReceives"] = maxReceives.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sparkify:Heartbeat:Path"] = Path.Combine(Path.GetTempPath(), $"sparkify-test-{id}.heartbeat"),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var options = new PipelineOptions
        {
            Bucket = settings["Sparkify:Bucket"]!, QueueName = settings["Sparkify:QueueName"]!,
            AwsServiceUrl = fauxqs.Server.ServiceUrl,
        };
        var harness = new PipelineHarness(settings, options, NpgsqlDataSource.Create(connection))
        {
            DeadLetterQueueName = deadLetterQueueName ?? QueueSetup.DeadLetterQueueName(options.QueueName),
        };
        if (migrate)
        {
            await new SchemaMigrator(harness.DataSource).MigrateAsync();
        }
        await QueueSetup.EnsureAsync(harness.S3, harness.Sqs, options, maxReceives, visibilityTimeoutSeconds: 10,
            deadLetterQueueName: harness.DeadLetterQueueName);
        return harness;
    }

    public async Task UploadAsync(string key, string content) =>
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Options.Bucket, Key = key, ContentBody = content });

    public Task<int> UploadFolderAsync(string folder) => QueueSetup.UploadFolderAsync(S3, Options.Bucket, folder);

    /// <summary>An Ingest host, not started: tests drive its <see cref="IngestScan"/> or start its worker. The harness disposes it.</summary>
    /// <param name="replace">Replaces services after the real ones are registered (an SQS client that holds its sends, say).</param>
    public IHost BuildIngest(bool withWorker = false, Action<IServiceCollection>? replace = null) => Build(builder =>
    {
        builder.Services.AddIngest(builder.Configuration);
        if (withWorker)
        {
            builder.Services.AddHostedService<IngestWorker>();
        }
        replace?.Invoke(builder.Services);
    });

    /// <summary>One scan of the configured prefixes by an Ingest of its own; the batch it opened (it must open one).</summary>
    public async Task<long> ScanAsync(bool retryFailed = false)
    {
        using var ingest = BuildIngest();
        return await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(Options.Prefixes, CancellationToken.None, retryFailed)
            ?? throw new InvalidOperationException("the scan opened no batch");
    }

    /// <summary>A started Transform host: the real worker, receiving until the test ends.</summary>
    /// <param name="replace">Replaces services after the real ones are registered (a faulty S3 client, say).</param>
    public async Task<IHost> StartTransformAsync(Action<IServiceCollection>? replace = null)
    {
        var host = Build(builder =>
        {
            builder.Services.AddTransform(builder.Configuration);
            builder.Services.AddHostedService<TransformWorker>();
            replace?.Invoke(builder.Services);
        });
        await host.StartAsync();
        return host;
    }

    /// <summary>
    /// Runs a worker as its Program.cs does (<see cref="WorkerRunner"/>, configuration from the command line) until it
    /// stops by itself, and returns its exit code.
    /// </summary>
    /// <param name="logs">Receives the worker's log lines (warnings and above).</param>
    public Task<int> RunWorkerAsync(Action<HostApplicationBuilder> addWorker, IDictionary<string, string?>? overrides = null, ILoggerProvider? logs = null)
    {
        var settings = new Dictionary<string, string?>(_settings) { ["Logging:LogLevel:Default"] = "Warning" };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        string[] args = [.. settings.Select(s => $"--{s.Key}={s.Value}")];
        return WorkerRunner.RunAsync(args, builder =>
        {
            builder.AddWarehouse();
            builder.AddPipeline();
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
            addWorker(builder);
        });
    }

    public static void AddTransform(HostApplicationBuilder builder)
    {
        builder.Services.AddTransform(builder.Configuration);
        builder.Services.AddHostedService<TransformWorker>();
    }

    public static void AddIngest(HostApplicationBuilder builder)
    {
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddHostedService<IngestWorker>();
    }

    private IHost Build(Action<HostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddWorkerDefaults();
        builder.AddWarehouse();
        builder.AddPipeline();
        configure(builder);
        var host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until the batch has ended (any final status) and returns that status.</summary>
    public async Task<string> WaitForBatchAsync(long batchId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var status = await ScalarAsync<string>("SELECT status FROM batches WHERE batch_id = $1", batchId);
            if (status is "completed" or "completed_with_failures" or "failed")
            {
                return status;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Batch {batchId} did not end in time.");
    }

    public async Task<int> ApproximateMessagesAsync(string queueName)
    {
        var url = (await Sqs.GetQueueUrlAsync(queueName)).QueueUrl;
        var attributes = await Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            try
            {
                await host.StopAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
            }
            host.Dispose();
        }
        S3.Dispose();
        Sqs.Dispose();
        await DataSource.DisposeAsync();
    }
}
