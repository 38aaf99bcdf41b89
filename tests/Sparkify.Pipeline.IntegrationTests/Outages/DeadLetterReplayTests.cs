using Amazon.S3;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Testing;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Pipeline.IntegrationTests.Outages;

/// <summary>
/// The dead-letter replay acts on exactly the dead message's own batch, key and version: a live row of the same file
/// is never failed, a waiting batch finishes whatever became of the object, and one object that is gone does not stop
/// the rest.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class DeadLetterReplayTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private const string Key = "log_data/2018/11/2018-11-05-events.json";

    [Fact]
    public async Task A_row_of_the_same_file_whose_message_is_live_is_left_alone()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync(Key, TestEvents.Plays(3));
        var stuck = await harness.ScanAsync();
        await DeadLetterAllAsync(harness);
        // The same version queued again elsewhere (a backfill, an earlier replay), its message live on the queue.
        var live = await QueueAgainAsync(harness, stuck);

        Assert.Null(await ReplayAsync(harness));
        await harness.StartTransformAsync();

        Assert.Equal("completed", await harness.WaitForBatchAsync(live));
        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(stuck));
        Assert.Contains("the same version is queued in another open batch", await FailureAsync(harness, stuck), StringComparison.Ordinal);
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName));
    }

    [Fact]
    public async Task A_batch_waiting_for_a_file_that_changed_since_finishes_and_the_new_version_loads()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync(Key, TestEvents.Plays(3));
        var waiting = await harness.ScanAsync();
        await DeadLetterAllAsync(harness);
        await harness.UploadAsync(Key, TestEvents.Plays(5));

        var replay = await ReplayAsync(harness);
        await harness.StartTransformAsync();

        Assert.NotNull(replay);
        Assert.Equal("completed", await harness.WaitForBatchAsync(replay.Value));
        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(waiting, TimeSpan.FromSeconds(30)));
        Assert.Contains("the object has changed since; its current version is queued in batch " + replay.Value, await FailureAsync(harness, waiting),
            StringComparison.Ordinal);
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task A_batch_waiting_for_a_file_loaded_meanwhile_finishes_with_it_staged()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync(Key, TestEvents.Plays(3));
        var waiting = await harness.ScanAsync();
        await DeadLetterAllAsync(harness);
        var other = await QueueAgainAsync(harness, waiting);
        await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(other));

        Assert.Null(await ReplayAsync(harness));

        Assert.Equal("completed", await harness.WaitForBatchAsync(waiting, TimeSpan.FromSeconds(30)));
        Assert.Equal("staged", await harness.ScalarAsync<string>("SELECT state FROM batch_files WHERE batch_id = $1", waiting));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName));
    }

    [Fact]
    public async Task Objects_gone_with_a_403_or_a_404_fail_alone_and_the_rest_is_replayed()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-01-events.json", TestEvents.Plays(2, firstItem: 10));
        await harness.UploadAsync("log_data/2018/11/2018-11-02-events.json", TestEvents.Plays(3, firstItem: 20));
        await harness.UploadAsync("log_data/2018/11/2018-11-03-events.json", TestEvents.Plays(4, firstItem: 30));
        var waiting = await harness.ScanAsync();
        await DeadLetterAllAsync(harness);
        // Both deleted; on AWS the HEAD of the first answers 403 (ListBucket conditioned on prefixes), here the second 404.
        await harness.S3.DeleteObjectAsync(harness.Options.Bucket, "log_data/2018/11/2018-11-01-events.json");
        await harness.S3.DeleteObjectAsync(harness.Options.Bucket, "log_data/2018/11/2018-11-03-events.json");
        var s3 = S3DeniedHeads.Wrap(harness.S3, "log_data/2018/11/2018-11-01-events.json");

        var replay = await ReplayAsync(harness, s3);
        await harness.StartTransformAsync();

        Assert.NotNull(replay);
        Assert.Equal("completed", await harness.WaitForBatchAsync(replay.Value));
        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(waiting, TimeSpan.FromSeconds(30)));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(2L, await harness.ScalarAsync<long>(
            "SELECT count(*) FROM batch_files WHERE batch_id = $1 AND failure_reason LIKE '%the object is gone from the bucket%'", waiting));
        Assert.Equal(2, await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName));
    }


    private static async Task<long?> ReplayAsync(PipelineHarness harness, IAmazonS3? s3 = null)
    {
        using var ingest = harness.BuildIngest(replace: s3 is null ? null : services => services.AddSingleton(s3));
        return await ingest.Services.GetRequiredService<DeadLetterReplayer>().ReplayAsync(CancellationToken.None);
    }

    /// <summary>Every message on the queue goes to the dead-letter queue without its file being settled (its worker died on the last receive).</summary>
    private static async Task DeadLetterAllAsync(PipelineHarness harness)
    {
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        var deadUrl = (await harness.Sqs.GetQueueUrlAsync(harness.DeadLetterQueueName)).QueueUrl;
        while ((await harness.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10 })).Messages is { Count: > 0 } messages)
        {
            foreach (var message in messages)
            {
                await harness.Sqs.SendMessageAsync(deadUrl, message.Body);
                await harness.Sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
            }
        }
    }

    /// <summary>The batch's files queued again in a new batch, their messages published (live).</summary>
    private static async Task<long> QueueAgainAsync(PipelineHarness harness, long batchId)
    {
        var files = new List<ManifestFile>();
        await using (var command = harness.DataSource.CreateCommand("SELECT file_key, etag, size_bytes FROM batch_files WHERE batch_id = $1"))
        {
            command.Parameters.Add(new() { Value = batchId });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                files.Add(new ManifestFile(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }
        var again = await new BatchManifests(harness.DataSource).OpenAsync("queued again", files);
        using var ingest = harness.BuildIngest();
        await ingest.Services.GetRequiredService<BatchPublisher>().PublishAsync(again, files, CancellationToken.None);
        return again;
    }

    private static Task<string> FailureAsync(PipelineHarness harness, long batchId) =>
        harness.ScalarAsync<string>("SELECT failure_reason FROM batch_files WHERE batch_id = $1 AND state = 'failed'", batchId);
}
