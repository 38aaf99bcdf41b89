using System.Text;
using Amazon.S3.Model;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.DevTools;
using Sparkify.Ingest;
using Sparkify.Ingest.Arrivals;
using Sparkify.Pipeline.Hosting;
using Sparkify.Testing;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// Notification mode on real PostgreSQL and fauxqs. fauxqs sends no bucket notifications: the tests post the event JSON
/// S3 would send to the arrivals queue for the objects they upload.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ArrivalNotificationTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private sealed record Arrivals(PipelineHarness Harness, string QueueName, string QueueUrl, ArrivalsConsumer Consumer) : IAsyncDisposable
    {
        public async Task<CreatedObject> UploadAsync(string key, string content)
        {
            var response = await Harness.S3.PutObjectAsync(new PutObjectRequest { BucketName = Harness.Options.Bucket, Key = key, ContentBody = content });
            return new CreatedObject(key, Encoding.UTF8.GetByteCount(content), response.ETag);
        }

        public Task PostAsync(string body) => Harness.Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = QueueUrl, MessageBody = body });

        /// <summary>Steps the consumer until every arrival message is recorded and deleted.</summary>
        public async Task ConsumeAllAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await Harness.ApproximateMessagesAsync(QueueName) > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the arrival messages were not all recorded within 30 s");
                await Consumer.StepAsync(CancellationToken.None);
            }
        }

        public ValueTask DisposeAsync() => Harness.DisposeAsync();
    }

    private static async Task<Arrivals> CreateAsync(PostgresFixture postgres, FauxqsFixture fauxqs)
    {
        var queueName = $"arrivals-{Guid.NewGuid():N}"[..20];
        var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Ingest:ArrivalsQueueName"] = queueName,
            ["Sparkify:Ingest:ArrivalBatchWindowSeconds"] = "1",
        });
        var queueUrl = (await harness.Sqs.CreateQueueAsync(queueName)).QueueUrl;
        var consumer = harness.BuildIngest().Services.GetRequiredService<ArrivalsConsumer>();
        return new Arrivals(harness, queueName, queueUrl, consumer);
    }

    [Fact]
    public async Task Files_of_the_arrival_events_land_in_one_batch_are_published_and_loaded_and_every_other_message_is_deleted()
    {
        await using var arrivals = await CreateAsync(postgres, fauxqs);
        var bucket = arrivals.Harness.Options.Bucket;
        var first = await arrivals.UploadAsync("log_data/2018/11/2018-11-01 events.json", TestEvents.Plays(2, firstItem: 10));
        var second = await arrivals.UploadAsync("log_data/2018/11/2018-11-02-events.json", TestEvents.Plays(2, firstItem: 20));
        var third = await arrivals.UploadAsync("log_data/2018/11/2018-11-03-events.json", TestEvents.Plays(2, firstItem: 30));
        await arrivals.UploadAsync("elsewhere/2018-11-04-events.json", TestEvents.Plays(2, firstItem: 40));

        await arrivals.PostAsync(S3EventNotifications.TestEvent(bucket));
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [first, second]));
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [third]));
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [new CreatedObject("elsewhere/2018-11-04-events.json", 10, "e")]));
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated("another-bucket", [first]));
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [first], eventName: "ObjectRemoved:Delete"));
        await arrivals.ConsumeAllAsync();

        var batchId = await arrivals.Harness.ScalarAsync<long>("SELECT batch_id FROM batches");
        Assert.Equal(1L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal(3, await arrivals.Harness.ScalarAsync<int>("SELECT expected_files FROM batches WHERE batch_id = $1", batchId));
        Assert.Equal(3L, await arrivals.Harness.ScalarAsync<long>(
            "SELECT count(*) FROM batch_files WHERE batch_id = $1 AND published_at IS NOT NULL AND file_key LIKE $2", batchId, $"s3://{bucket}/log_data/%"));
        Assert.Equal(1L, await arrivals.Harness.ScalarAsync<long>(
            "SELECT count(*) FROM batch_files WHERE file_key = $1", $"s3://{bucket}/log_data/2018/11/2018-11-01 events.json"));
        Assert.Equal(3, await arrivals.Harness.ApproximateMessagesAsync(arrivals.Harness.Options.QueueName));

        await arrivals.Harness.StartTransformAsync();
        Assert.Equal("completed", await arrivals.Harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(60)));
        Assert.Equal(6L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task A_duplicate_event_and_an_event_for_a_file_the_scan_recorded_add_no_second_batch_entry()
    {
        await using var arrivals = await CreateAsync(postgres, fauxqs);
        var bucket = arrivals.Harness.Options.Bucket;
        var scanned = await arrivals.UploadAsync("log_data/2018/11/2018-11-01-events.json", TestEvents.Plays(2, firstItem: 10));
        var scanBatch = await arrivals.Harness.BuildIngest().Services.GetRequiredService<IngestScan>().ScanOnceAsync(["log_data/"], CancellationToken.None);
        var arrived = await arrivals.UploadAsync("log_data/2018/11/2018-11-02-events.json", TestEvents.Plays(2, firstItem: 20));

        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [scanned, arrived], ["0A", "0B"]));
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [arrived], ["0B"]));
        await arrivals.ConsumeAllAsync();
        // The same event delivered again after its file was recorded (SQS delivers at least once).
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [arrived], ["0B"]));
        await arrivals.ConsumeAllAsync();

        Assert.NotNull(scanBatch);
        Assert.Equal(2L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal(2L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batch_files"));
        Assert.Equal(scanBatch.Value, await arrivals.Harness.ScalarAsync<long>(
            "SELECT batch_id FROM batch_files WHERE file_key = $1", $"s3://{bucket}/{scanned.Key}"));
        Assert.Equal(2, await arrivals.Harness.ApproximateMessagesAsync(arrivals.Harness.Options.QueueName));
    }

    [Fact]
    public async Task Notification_mode_runs_the_arrivals_consumer_and_refuses_to_start_without_its_queue()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);

        var exitCode = await harness.RunWorkerAsync(builder =>
        {
            builder.Services.AddIngest(builder.Configuration);
            builder.Services.AddIngestWorker(builder.Configuration);
        }, new Dictionary<string, string?> { ["Sparkify:Ingest:Mode"] = "Notifications" }).WaitAsync(TimeSpan.FromSeconds(60));

        // A scan (the other modes' worker) would have found nothing and ended with 0.
        Assert.Equal(WorkerExitCodes.Misconfigured, exitCode);
    }

    [Fact]
    public async Task A_folder_uploaded_for_a_local_run_posts_the_event_S3_would_send_for_each_file()
    {
        await using var arrivals = await CreateAsync(postgres, fauxqs);
        var folder = Directory.CreateTempSubdirectory("sparkify-arrivals-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "log_data", "2018", "11"));
            await File.WriteAllTextAsync(Path.Combine(folder, "log_data", "2018", "11", "2018-11-01 events.json"), TestEvents.Plays(2, firstItem: 10));
            await File.WriteAllTextAsync(Path.Combine(folder, "log_data", "2018", "11", "2018-11-02-events.json"), TestEvents.Plays(2, firstItem: 20));
            var bucket = arrivals.Harness.Options.Bucket;

            var keys = await QueueSetup.UploadFolderKeysAsync(arrivals.Harness.S3, bucket, folder);
            await S3EventNotifications.PostUploadedAsync(arrivals.Harness.S3, arrivals.Harness.Sqs, arrivals.QueueUrl, bucket, keys);
            await arrivals.ConsumeAllAsync();

            Assert.Equal(1L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
            Assert.Equal(2L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batch_files WHERE published_at IS NOT NULL"));
            var batchId = await arrivals.Harness.ScalarAsync<long>("SELECT batch_id FROM batches");
            await arrivals.Harness.StartTransformAsync();
            Assert.Equal("completed", await arrivals.Harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(60)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task While_a_scan_holds_the_scan_lock_the_window_waits_and_its_messages_stay_then_it_is_recorded()
    {
        await using var arrivals = await CreateAsync(postgres, fauxqs);
        var bucket = arrivals.Harness.Options.Bucket;
        var file = await arrivals.UploadAsync("log_data/2018/11/2018-11-01-events.json", TestEvents.Plays(2, firstItem: 10));
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [file]));

        await using (var scanLock = await new BatchManifests(arrivals.Harness.DataSource).TryLockScanAsync())
        {
            Assert.NotNull(scanLock);
            // Receives the message, waits out the window, and finds the lock taken: three steps, nothing recorded.
            for (var step = 0; step < 3; step++)
            {
                await arrivals.Consumer.StepAsync(CancellationToken.None);
            }
            Assert.Equal(0L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
            Assert.Equal(1, await arrivals.Harness.ApproximateMessagesAsync(arrivals.QueueName));
        }
        await arrivals.ConsumeAllAsync();

        Assert.Equal(1L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batch_files WHERE published_at IS NOT NULL"));
    }

    /// <summary>
    /// Both paths at once: each round uploads files, posts their events and starts a scan of the same prefix a little
    /// before, with or after the consumer, so that whichever path reaches the files first records them. Every file
    /// version is in one batch once, and loads once.
    /// </summary>
    [Fact]
    public async Task A_scan_and_the_consumer_running_at_the_same_time_record_and_load_each_file_version_once()
    {
        await using var arrivals = await CreateAsync(postgres, fauxqs);
        var bucket = arrivals.Harness.Options.Bucket;
        var scan = arrivals.Harness.BuildIngest().Services.GetRequiredService<IngestScan>();
        var files = 0;
        foreach (var scanDelay in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(1500) })
        {
            var uploaded = new List<CreatedObject>();
            for (var i = 0; i < 6; i++, files++)
            {
                uploaded.Add(await arrivals.UploadAsync($"log_data/2018/11/2018-11-{files + 1:00}-events.json", TestEvents.Plays(2, firstItem: 10 * (files + 1))));
            }
            foreach (var pair in uploaded.Chunk(2))
            {
                await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [.. pair]));
            }
            var consuming = Task.Run(arrivals.ConsumeAllAsync);
            var scanning = Task.Run(async () =>
            {
                await Task.Delay(scanDelay);
                await scan.ScanOnceAsync(["log_data/"], CancellationToken.None);
            });
            await Task.WhenAll(consuming, scanning);
        }

        Assert.Equal((long)files, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM batch_files"));
        Assert.Equal((long)files, await arrivals.Harness.ScalarAsync<long>("SELECT count(DISTINCT (file_key, etag)) FROM batch_files"));
        Assert.Equal(files, await arrivals.Harness.ApproximateMessagesAsync(arrivals.Harness.Options.QueueName));
        await arrivals.Harness.StartTransformAsync();
        var batchIds = await arrivals.Harness.ScalarAsync<long[]>("SELECT array_agg(batch_id ORDER BY batch_id) FROM batches");
        foreach (var batchId in batchIds)
        {
            Assert.Equal("completed", await arrivals.Harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(90)));
        }
        Assert.Equal(2L * files, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal((long)files, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
    }

    [Fact]
    public async Task A_late_event_for_a_version_already_replaced_and_loaded_is_recorded_superseded_and_the_loaded_version_stays()
    {
        await using var arrivals = await CreateAsync(postgres, fauxqs);
        var bucket = arrivals.Harness.Options.Bucket;
        const string key = "log_data/2018/11/2018-11-01-events.json";
        var older = await arrivals.UploadAsync(key, TestEvents.Plays(3, firstItem: 10));
        await arrivals.UploadAsync(key, TestEvents.Plays(5, firstItem: 20));
        var scanBatch = await arrivals.Harness.BuildIngest().Services.GetRequiredService<IngestScan>().ScanOnceAsync(["log_data/"], CancellationToken.None);
        Assert.NotNull(scanBatch);
        await arrivals.Harness.StartTransformAsync();
        Assert.Equal("completed", await arrivals.Harness.WaitForBatchAsync(scanBatch.Value, TimeSpan.FromSeconds(60)));

        // The older upload's event arrives after the newer version was loaded (S3 does not promise event order).
        await arrivals.PostAsync(S3EventNotifications.ObjectsCreated(bucket, [older], ["0A"]));
        await arrivals.ConsumeAllAsync();
        var lateBatch = await arrivals.Harness.ScalarAsync<long>("SELECT max(batch_id) FROM batches");
        Assert.NotEqual(scanBatch.Value, lateBatch);

        Assert.Equal("completed", await arrivals.Harness.WaitForBatchAsync(lateBatch, TimeSpan.FromSeconds(60)));
        Assert.Equal(5L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(1L, await arrivals.Harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(scanBatch.Value, await arrivals.Harness.ScalarAsync<long>("SELECT batch_id FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(0, await arrivals.Harness.ApproximateMessagesAsync(arrivals.Harness.DeadLetterQueueName));
    }
}
