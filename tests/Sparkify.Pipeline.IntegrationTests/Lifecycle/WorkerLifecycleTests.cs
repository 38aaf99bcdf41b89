using System.Diagnostics;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Sparkify.Ingest;
using Sparkify.Pipeline.Hosting;
using Sparkify.Testing;
using Sparkify.Warehouse.Schema;
using Sparkify.Warehouse;

namespace Sparkify.Pipeline.IntegrationTests.Lifecycle;

/// <summary>
/// How a worker starts, stops and gives up, in-process against the real PostgreSQL and fauxqs: what a container
/// scheduler relies on (exit codes, draining on SIGTERM, no parked claims).
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class WorkerLifecycleTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private const string Song = """{"num_songs": 1, "artist_id": "ARLIFE1", "artist_latitude": null, "artist_longitude": null, "artist_location": "", "artist_name": "Life", "song_id": "SOLIFE{0}", "title": "Cycle {0}", "duration": 200.0, "year": 2001}""";

    /// <summary>Short backoff, so that a worker that gives up does so in a second or two.</summary>
    private static readonly Dictionary<string, string?> QuickRetries = new()
    {
        ["Sparkify:Retry:FirstDelaySeconds"] = "0.05",
        ["Sparkify:Retry:MaxDelaySeconds"] = "0.1",
    };

    private static Dictionary<string, string?> With(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(QuickRetries);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        return all;
    }

    [Fact]
    public async Task Transform_refuses_a_queue_whose_RedrivePolicy_differs_from_MaxReceives_with_exit_code_2()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, maxReceives: 3);

        var code = await harness.RunWorkerAsync(PipelineHarness.AddTransform, With(("Sparkify:Transform:MaxReceives", "5"))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(WorkerExitCodes.Misconfigured, code);
    }

    [Fact]
    public async Task Without_migrations_at_start_a_worker_refuses_a_database_without_the_schema_and_starts_once_it_is_migrated()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, migrate: false);
        var noMigrations = With(("Sparkify:MigrateAtStart", "false"), ("Sparkify:Ingest:Mode", "Once"));

        Assert.Equal(WorkerExitCodes.Misconfigured, await harness.RunWorkerAsync(PipelineHarness.AddIngest, noMigrations).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(await harness.ScalarAsync<bool>("SELECT to_regclass('songplays') IS NULL"), "the worker created tables");

        await new SchemaMigrator(harness.DataSource).MigrateAsync();
        Assert.Equal(WorkerExitCodes.Success, await harness.RunWorkerAsync(PipelineHarness.AddIngest, noMigrations).WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_worker_told_to_wait_for_the_schema_starts_once_the_migration_task_has_run()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, migrate: false);
        var logs = new LogRecorder();
        var run = harness.RunWorkerAsync(PipelineHarness.AddIngest,
            With(("Sparkify:MigrateAtStart", "false"), ("Sparkify:SchemaWaitSeconds", "120"), ("Sparkify:Ingest:Mode", "Once")), logs);
        // It found no schema and says it waits for it (a worker that refuses exits instead).
        var waiting = logs.WaitForAsync(line => line.Contains("Waiting for the schema", StringComparison.Ordinal), "waiting for the schema");
        await Task.WhenAny(waiting, run);
        Assert.False(run.IsCompleted, "the worker did not wait for the schema");
        await waiting;

        await new SchemaMigrator(harness.DataSource).MigrateAsync();

        Assert.Equal(WorkerExitCodes.Success, await run.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Ingest_that_keeps_failing_in_once_mode_gives_up_with_exit_code_1()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);

        var code = await harness.RunWorkerAsync(PipelineHarness.AddIngest,
            With(("Sparkify:Ingest:Mode", "Once"), ("Sparkify:Bucket", "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8])))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(WorkerExitCodes.GaveUp, code);
    }

    [Fact]
    public async Task Stopping_during_a_star_load_releases_its_claim_at_once()
    {
        // Drain time: the shutdown timeout less the 10 s kept for handing back, i.e. 1 s.
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:ShutdownTimeoutSeconds"] = "11", ["Sparkify:Transform:StarLoadLockWaitSeconds"] = "600",
        });
        await UploadSongsAsync(harness, 3);
        // The test holds the star load's lock, so the load that claims the batch waits inside its transaction.
        await using var blocker = await HoldStarLoadLockAsync(harness);
        var transform = await harness.StartTransformAsync();
        var batchId = await harness.ScanAsync();
        await WaitForStatusAsync(harness, batchId, "loading_star");

        var stopwatch = Stopwatch.StartNew();
        await transform.StopAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(11), $"stopping took {stopwatch.Elapsed}");
        Assert.Equal("open", await harness.ScalarAsync<string>("SELECT status FROM batches WHERE batch_id = $1", batchId));
        Assert.True(await harness.ScalarAsync<bool>("SELECT star_claimed_at IS NULL FROM batches WHERE batch_id = $1", batchId));

        await blocker.DisposeAsync();
        await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
    }

    [Fact]
    public async Task A_star_load_that_found_the_lock_taken_runs_once_the_lock_is_free_while_the_receiver_is_in_a_long_poll()
    {
        // One receiver whose long poll lasts 20 s: without a look of its own, the batch would wait for that poll to end.
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Transform:Receivers"] = "1", ["Sparkify:Transform:WaitTimeSeconds"] = "20",
            ["Sparkify:Transform:StarLoadLockWaitSeconds"] = "1", ["Sparkify:Transform:SettledBatchCheckSeconds"] = "1",
        });
        await UploadSongsAsync(harness, 3);
        long batchId;
        await using (var blocker = await HoldStarLoadLockAsync(harness))
        {
            await harness.StartTransformAsync();
            batchId = await harness.ScanAsync();
            await harness.WaitUntilAsync(async () => await harness.ScalarAsync<long>(
                "SELECT count(*) FROM batch_files WHERE batch_id = $1 AND state = 'staged'", batchId) == 3, "the batch's files staged");
            // Its star load has found the lock taken (lock wait 1 s) and the receiver has gone back to its long poll.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.NotEqual("completed", await harness.ScalarAsync<string>("SELECT status FROM batches WHERE batch_id = $1", batchId));
        }

        var released = Stopwatch.StartNew();
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(60)));
        Assert.True(released.Elapsed < TimeSpan.FromSeconds(10), $"the star load ran {released.Elapsed} after the lock was free");
    }

    [Fact]
    public async Task Stopping_lets_the_group_in_hand_finish_and_leaves_its_star_load_to_the_next_instance()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?> { ["Sparkify:ShutdownTimeoutSeconds"] = "40" });
        long batchId;
        await using (var blocked = await FiveFilesInHandOfABlockedTransformAsync(harness))
        {
            batchId = blocked.BatchId;
            var stopping = blocked.Transform.StopAsync();
            // The stop has reached the worker before the group can go on; its staging still waits on the test's lock.
            await harness.WaitUntilAsync(() => Task.FromResult(
                blocked.Transform.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested), "the stop signalled");
            Assert.False(stopping.IsCompleted, "the worker stopped without finishing the group in hand");
            await blocked.Staging.CommitAsync();
            await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.Options.QueueName));
        Assert.Equal("open", await harness.ScalarAsync<string>("SELECT status FROM batches WHERE batch_id = $1", batchId));

        await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
    }

    [Fact]
    public async Task A_group_still_in_hand_when_the_drain_time_runs_out_goes_back_to_the_queue_at_once()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?> { ["Sparkify:ShutdownTimeoutSeconds"] = "11" });
        long batchId;
        await using (var blocked = await FiveFilesInHandOfABlockedTransformAsync(harness))
        {
            batchId = blocked.BatchId;
            await blocked.Transform.StopAsync().WaitAsync(TimeSpan.FromSeconds(11));

            // Visible again now, not after the 10 s visibility timeout.
            var url = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
            var attributes = await harness.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
            {
                QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            });
            Assert.Equal((5, 0), (attributes.ApproximateNumberOfMessages, attributes.ApproximateNumberOfMessagesNotVisible));
        }

        await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
    }

    /// <summary>A Transform holding a group of five files whose staging waits on the test's lock.</summary>
    private static async Task<BlockedGroup> FiveFilesInHandOfABlockedTransformAsync(PipelineHarness harness)
    {
        await UploadSongsAsync(harness, 5);
        var transform = await harness.StartTransformAsync();
        var staging = await BlockStagingAsync(harness);
        var batchId = await harness.ScanAsync();
        await WaitForInFlightAsync(harness, 5);
        return new BlockedGroup(transform, staging, batchId);
    }

    private sealed record BlockedGroup(IHost Transform, StagingBlock Staging, long BatchId) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Staging.DisposeAsync();
    }

    [Fact]
    public async Task A_scan_that_overlaps_another_skips_instead_of_opening_a_second_batch()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await UploadSongsAsync(harness, 2);
        using var ingest = harness.BuildIngest();
        var batches = ingest.Services.GetRequiredService<Warehouse.Bookkeeping.BatchManifests>();

        await using (var otherScan = await batches.TryLockScanAsync())
        {
            Assert.NotNull(otherScan);
            Assert.Null(await batches.TryLockScanAsync());
            Assert.Null(await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None));
        }
        Assert.NotNull(await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
    }

    [Fact]
    public async Task The_heartbeat_file_is_fresh_while_the_transform_idles()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        var transform = await harness.StartTransformAsync();
        var heartbeat = transform.Services.GetRequiredService<WorkerHeartbeat>();
        await harness.WaitUntilAsync(() => Task.FromResult(File.Exists(heartbeat.FilePath)), "the first beat");
        var first = File.GetLastWriteTimeUtc(heartbeat.FilePath);

        // An idle receiver comes round every long poll (1 s here).
        await harness.WaitUntilAsync(() => Task.FromResult(File.GetLastWriteTimeUtc(heartbeat.FilePath) > first), "a later beat", TimeSpan.FromSeconds(10));
    }

    private static async Task UploadSongsAsync(PipelineHarness harness, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await harness.UploadAsync($"song_data/L/I/F/SOLIFE{i}.json", Song.Replace("{0}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
    }


    private static async Task WaitForStatusAsync(PipelineHarness harness, long batchId, string status) =>
        await harness.WaitUntilAsync(async () => await harness.ScalarAsync<string>("SELECT status FROM batches WHERE batch_id = $1", batchId) == status,
            $"batch {batchId} {status}");

    private static async Task WaitForInFlightAsync(PipelineHarness harness, int messages)
    {
        var url = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        await harness.WaitUntilAsync(async () => (await harness.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessagesNotVisible"],
        })).ApproximateNumberOfMessagesNotVisible == messages, $"{messages} message(s) received");
        // Received, and their staging now waiting on the test's lock.
        await harness.WaitUntilAsync(() => harness.ScalarAsync<bool>(
            "SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND relation = 'load_files'::regclass)"), "the staging waiting on the lock");
    }

    /// <summary>A session-level hold on the star load's advisory lock: the star load blocks until this is disposed.</summary>
    private static async Task<NpgsqlConnection> HoldStarLoadLockAsync(PipelineHarness harness)
    {
        var connection = await harness.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection);
        command.Parameters.Add(new() { Value = BatchFinisher.StarLoadLockKey });
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>A transaction that lets <c>load_files</c> be read but not written: staging blocks on it until the transaction ends.</summary>
    private static async Task<StagingBlock> BlockStagingAsync(PipelineHarness harness)
    {
        var connection = await harness.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("LOCK TABLE load_files IN SHARE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return new StagingBlock(connection, transaction);
    }

    private sealed class StagingBlock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
