using Microsoft.Extensions.Hosting;
using System.Diagnostics;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sparkify.Ingest;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

[Collection(PipelineCollection.Name)]
public sealed class PipelineTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private static readonly string[] DefaultPrefixes = ["song_data/", "log_data/"];

    private static string Plays(int count, int firstItem = 0) => TestEvents.Plays(count, firstItem);

    private static async Task<long> IngestOnceAsync(PipelineHarness harness)
    {
        var ingest = harness.BuildIngest();
        var batchId = await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(DefaultPrefixes, CancellationToken.None);
        return batchId ?? throw new InvalidOperationException("Nothing was ingested.");
    }

    [Fact]
    public async Task The_real_sample_goes_through_s3_and_sqs_to_the_same_counts_and_its_batch_line_counts_the_rows_with_text_repaired()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadFolderAsync(SampleData.Folder);
        var logs = new LogRecorder();
        await harness.StartTransformAsync(services => services.AddLogging(logging => logging.AddProvider(logs)
            .AddFilter<LogRecorder>(typeof(Sparkify.Transform.StarLoadCoordinator).FullName, LogLevel.Information)));

        var batchId = await IngestOnceAsync(harness);

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        foreach (var (table, count) in new Dictionary<string, long>
                 {
                     ["staging_events"] = 8056, ["staging_songs"] = 71, ["songplays"] = 6820, ["users"] = 97,
                     ["songs"] = 71, ["artists"] = 69, ["time"] = 6813, ["load_errors"] = 0,
                 })
        {
            Assert.True(count == await harness.ScalarAsync<long>($"SELECT count(*) FROM {table}"), table);
        }
        Assert.Equal(101L, await harness.ScalarAsync<long>("SELECT count(*) FROM batch_files WHERE batch_id = $1 AND state = 'staged'", batchId));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.Options.QueueName));
        // The sample's 326 plays with text encoded more than once (README, loading rules), on the Transform's batch line.
        await logs.WaitForAsync(line => line.Contains($"Batch {batchId} completed; 326 staged row(s) with text repaired. Star load: ", StringComparison.Ordinal),
            "the batch line with the rows repaired", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_hostile_key_is_data_end_to_end_through_s3_sqs_and_sql()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        const string key = "song_data/A/B/C/it's a \"test\" ü'); DROP TABLE songs; --.json";
        await harness.UploadAsync(key,
            """{"num_songs":1,"artist_id":"ARQUOTE1187B9A","artist_latitude":null,"artist_longitude":null,"artist_location":"","artist_name":"Q","song_id":"SOQUOTE12A8C1","title":"It's","duration":100.0,"year":0}""");
        await harness.StartTransformAsync();

        var batchId = await IngestOnceAsync(harness);

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        var expected = $"s3://{harness.Options.Bucket}/{key}";
        Assert.Equal(expected, await harness.ScalarAsync<string>("SELECT file_key FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(expected, await harness.ScalarAsync<string>("SELECT file_key FROM batch_files"));
        Assert.Equal("It's", await harness.ScalarAsync<string>("SELECT title FROM songs WHERE song_id = 'SOQUOTE12A8C1'"));
    }

    [Fact]
    public async Task Two_messages_for_one_file_in_the_same_receive_load_it_once()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(3));
        var batchId = await IngestOnceAsync(harness);
        // A second message for the same file before any Transform runs: both arrive in the first receive.
        var etag = await harness.ScalarAsync<string>("SELECT etag FROM batch_files");
        var body = new FileMessage(batchId, harness.Options.Bucket, "log_data/2018/11/2018-11-05-events.json", etag, 10).ToJson();
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        await harness.Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = body });

        await harness.StartTransformAsync();

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        await harness.WaitUntilAsync(async () => await harness.ApproximateMessagesAsync(harness.Options.QueueName) == 0, "both messages deleted");
    }

    [Fact]
    public async Task A_redelivered_message_for_a_loaded_file_loads_nothing()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(3));
        await harness.StartTransformAsync();
        var batchId = await IngestOnceAsync(harness);
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        var etag = await harness.ScalarAsync<string>("SELECT etag FROM load_files");

        // The same file message again, as SQS may deliver it (and twice, as two messages for one file).
        var body = new FileMessage(batchId, harness.Options.Bucket, "log_data/2018/11/2018-11-05-events.json", etag, 10).ToJson();
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        await harness.Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = body });
        await harness.Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = body });
        await harness.WaitUntilAsync(async () => await harness.ApproximateMessagesAsync(harness.Options.QueueName) == 0, "the queue is drained");

        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task A_poison_file_goes_to_the_dead_letter_queue_the_batch_completes_without_it_and_a_replay_after_the_fix_loads_it()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, maxReceives: 2,
            extra: new Dictionary<string, string?> { ["Sparkify:Transform:MaxErrorsPerFile"] = "0" });
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(3));
        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", "{not json\n" + Plays(2, firstItem: 10));
        await harness.StartTransformAsync();

        var batchId = await IngestOnceAsync(harness);

        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(batchId));
        var reason = await harness.ScalarAsync<string>(
            "SELECT failure_reason FROM batch_files WHERE batch_id = $1 AND state = 'failed' AND file_key LIKE '%2018-11-06-events.json'", batchId);
        Assert.Contains("after 2 receive(s)", reason, StringComparison.Ordinal);
        Assert.Contains("rejected records", reason, StringComparison.Ordinal);
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        Assert.Contains("1 file(s) failed", await harness.ScalarAsync<string>("SELECT error FROM batches WHERE batch_id = $1", batchId), StringComparison.Ordinal);
        await harness.WaitUntilAsync(async () => await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName) == 1,
            "the poison message is in the dead-letter queue");

        // A periodic scan does not queue the poison version again: it would only fail again.
        var ingest = harness.BuildIngest();
        Assert.Null(await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(DefaultPrefixes, CancellationToken.None));

        // The file is fixed; replaying the dead-letter queue loads its new version in a new batch.
        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", Plays(2, firstItem: 10));
        var replayBatch = await ingest.Services.GetRequiredService<DeadLetterReplayer>().ReplayAsync(CancellationToken.None);

        Assert.NotNull(replayBatch);
        Assert.Equal("completed", await harness.WaitForBatchAsync(replayBatch.Value));
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName));
        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
    }

    [Fact]
    public async Task Two_transform_instances_run_the_star_load_of_a_batch_once()
    {
        // Groups of 10 messages, so that the work is shared: both instances settle files and may finish the batch.
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Transform:MaxFilesPerGroup"] = "10",
        });
        await harness.UploadFolderAsync(SampleData.Folder);
        var (firstSqs, first) = SqsRecorder.Wrap(harness.Sqs);
        var (secondSqs, second) = SqsRecorder.Wrap(harness.Sqs);
        await harness.StartTransformAsync(services => services.AddSingleton(firstSqs));
        await harness.StartTransformAsync(services => services.AddSingleton(secondSqs));

        var batchId = await IngestOnceAsync(harness);

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        Assert.True(first.Received(harness.Options.QueueName).Count > 0 && second.Received(harness.Options.QueueName).Count > 0,
            $"one instance did all the work ({first.Received(harness.Options.QueueName).Count} and {second.Received(harness.Options.QueueName).Count} messages received)");
        Assert.Equal(101L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded' AND batch_id = $1", batchId));
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE batch_id <> $1", batchId));
        // The quality checks run once per committed star load: one result per check means one star load.
        Assert.True(await harness.ScalarAsync<bool>(
            "SELECT count(*) > 0 AND count(*) = count(DISTINCT check_name) FROM quality_check_results WHERE batch_id = $1", batchId));
        Assert.Equal(6820L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task Of_many_concurrent_finishers_exactly_one_claims_the_star_load()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        var batches = new Sparkify.Warehouse.Bookkeeping.BatchManifests(harness.DataSource);
        var starLoads = new Sparkify.Warehouse.Bookkeeping.StarLoadClaims(harness.DataSource);
        var file = new Sparkify.Warehouse.Bookkeeping.ManifestFile("s3://b/log_data/x.json", "etag", 1);
        var batchId = await batches.OpenAsync("test", [file]);
        Assert.Null(await starLoads.TryClaimAsync(batchId));

        await batches.MarkStagedAsync(batchId, [file]);
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => starLoads.TryClaimAsync(batchId))));

        Assert.Single(claims, claim => claim is not null);
        Assert.Null(await starLoads.TryClaimAsync(batchId));
    }

    [Fact]
    public async Task A_batch_whose_publishing_was_interrupted_is_resumed_not_duplicated()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(3));
        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", Plays(2, firstItem: 10));
        var ingest = harness.BuildIngest();
        var scanner = ingest.Services.GetRequiredService<S3FileScanner>();
        var found = await scanner.ListAsync(harness.Options.Bucket, "log_data/", startAfter: null, CancellationToken.None).SelectMany(p => p.Files.ToAsyncEnumerable()).ToListAsync();
        // As if Ingest died after opening the batch and before sending anything.
        var batchId = await new Sparkify.Warehouse.Bookkeeping.BatchManifests(harness.DataSource).OpenAsync("interrupted", found, null);

        var ingestor = ingest.Services.GetRequiredService<IngestScan>();
        Assert.Equal(2, await ingestor.ResumeAsync(CancellationToken.None));
        Assert.Equal(0, await ingestor.ResumeAsync(CancellationToken.None));
        Assert.Null(await ingestor.ScanOnceAsync(DefaultPrefixes, CancellationToken.None));
        await harness.StartTransformAsync();

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files"));
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task A_backfill_scans_only_its_prefix_once()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Ingest:Mode"] = "Watch",
            ["Sparkify:Ingest:BackfillPrefixes:0"] = "log_data/2018/12/",
        });
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(3));
        await harness.UploadAsync("log_data/2018/12/2018-12-01-events.json", Plays(2, firstItem: 10));
        await harness.StartTransformAsync();
        var ingest = harness.BuildIngest(withWorker: true);

        await ingest.StartAsync();
        // A backfill ends by itself after its one scan: if it kept watching, this times out and fails.
        await ingest.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var batchId = await harness.ScalarAsync<long>("SELECT batch_id FROM batches");
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal("s3://" + harness.Options.Bucket + "/log_data/2018/12/2018-12-01-events.json",
            await harness.ScalarAsync<string>("SELECT file_key FROM load_files"));
    }

    [Fact]
    public async Task A_star_load_claimed_by_an_instance_that_died_is_taken_over()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(3));
        var batchId = await IngestOnceAsync(harness);
        var starLoads = new Sparkify.Warehouse.Bookkeeping.StarLoadClaims(harness.DataSource);
        // The messages are consumed and the batch claimed by an instance that then dies: nothing is left on the queue.
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        await harness.Sqs.PurgeQueueAsync(queueUrl);
        await harness.ScalarAsync<object>("UPDATE batch_files SET state = 'staged' WHERE batch_id = $1 RETURNING NULL", batchId);
        Assert.NotNull(await starLoads.TryClaimAsync(batchId));
        Assert.Null(await starLoads.TryClaimAsync(batchId));
        // Time passes: the claim is now older than the take-over age (StarLoadTakeoverSeconds, 900 s).
        await harness.ScalarAsync<object>("UPDATE batches SET star_claimed_at = now() - interval '901 seconds' WHERE batch_id = $1 RETURNING NULL", batchId);

        await harness.StartTransformAsync();

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task In_watch_mode_a_new_file_is_loaded_in_a_new_batch()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Ingest:Mode"] = "Watch",
            ["Sparkify:Ingest:WatchIntervalSeconds"] = "1",
        });
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(3));
        await harness.StartTransformAsync();
        var ingest = harness.BuildIngest(withWorker: true);
        await ingest.StartAsync();

        await harness.WaitUntilAsync(async () => await harness.ScalarAsync<long>("SELECT count(*) FROM batches WHERE status = 'completed'") == 1,
            "the first batch completes");
        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", Plays(2, firstItem: 10));
        await harness.WaitUntilAsync(async () => await harness.ScalarAsync<long>("SELECT count(*) FROM batches WHERE status = 'completed'") == 2,
            "the second batch completes");

        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(DISTINCT batch_id) FROM load_files"));
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
    }

    [Fact]
    public async Task The_transform_span_continues_the_ingest_trace_across_the_queue()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PipelineTelemetry.Name,
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", Plays(2));
        await harness.StartTransformAsync();

        var batchId = await IngestOnceAsync(harness);
        await harness.WaitForBatchAsync(batchId);

        Activity[] snapshot;
        lock (spans)
        {
            snapshot = [.. spans];
        }
        var scan = Assert.Single(snapshot, s => s.OperationName == "ingest scan" && Equals(s.GetTagItem("sparkify.batch.id"), batchId));
        var stage = Assert.Single(snapshot, s => s.OperationName == "transform stage files" && Equals(s.GetTagItem("sparkify.batch.id"), batchId));
        var starLoad = Assert.Single(snapshot, s => s.OperationName == "star load" && Equals(s.GetTagItem("sparkify.batch.id"), batchId));
        Assert.Equal(scan.TraceId, stage.TraceId);
        Assert.Equal(scan.SpanId, stage.ParentSpanId);
        Assert.Equal(scan.TraceId, starLoad.TraceId);
        Assert.Equal(scan.SpanId, starLoad.ParentSpanId);

        // A scan that finds nothing new (every watch interval) starts no trace: every scan span is a batch's.
        Assert.Null(await harness.BuildIngest().Services.GetRequiredService<IngestScan>().ScanOnceAsync(DefaultPrefixes, CancellationToken.None));
        lock (spans)
        {
            Assert.DoesNotContain(spans, s => s.OperationName == "ingest scan" && s.GetTagItem("sparkify.batch.id") is null);
        }
    }
}
