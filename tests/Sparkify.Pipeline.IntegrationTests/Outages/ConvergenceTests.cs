using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Testing;
using Sparkify.Transform;

namespace Sparkify.Pipeline.IntegrationTests.Outages;

/// <summary>The bookkeeping converges whatever SQS does, and a star load that keeps failing ends its batch as failed.</summary>
[Collection(PipelineCollection.Name)]
public sealed class ConvergenceTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    [Fact]
    public async Task A_file_whose_last_receive_died_with_its_worker_is_found_in_the_dead_letter_queue_and_loaded()
    {
        // One receive per message: the "worker" that received it first died holding it, so SQS dead-letters it on the
        // next receive, and no Transform ever sees it to mark it failed.
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, maxReceives: 1, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Transform:VisibilityTimeoutSeconds"] = "5",
            ["Sparkify:Transform:RetryDelaySeconds"] = "0",
            ["Sparkify:Transform:DeadLetterSweepSeconds"] = "1",
        });
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", TestEvents.Plays(3));
        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", TestEvents.Plays(2, firstItem: 10));
        var batchId = await harness.ScanAsync();
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        var dying = await harness.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 1, VisibilityTimeout = 2 });
        Assert.Single(dying.Messages);

        await harness.StartTransformAsync();

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(60)));
        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(1, await harness.ScalarAsync<int>("SELECT sum(requeues)::int FROM batch_files"));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName));
    }

    [Fact]
    public async Task The_dead_letter_replay_queues_a_file_stuck_in_an_open_batch_instead_of_deleting_its_message()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", TestEvents.Plays(3));
        var stuckBatch = await harness.ScanAsync();
        // Its message went to the dead-letter queue without the file being settled: move it there by hand.
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        var deadUrl = (await harness.Sqs.GetQueueUrlAsync(harness.DeadLetterQueueName)).QueueUrl;
        var message = Assert.Single((await harness.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10 })).Messages);
        await harness.Sqs.SendMessageAsync(deadUrl, message.Body);
        await harness.Sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);

        using var ingest = harness.BuildIngest();
        var replayBatch = await ingest.Services.GetRequiredService<DeadLetterReplayer>().ReplayAsync(CancellationToken.None);
        await harness.StartTransformAsync();

        Assert.NotNull(replayBatch);
        Assert.Equal("completed", await harness.WaitForBatchAsync(replayBatch.Value));
        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(stuckBatch));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task A_star_load_that_keeps_failing_ends_its_batch_as_failed_with_the_reason()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", TestEvents.Plays(3));
        // Not an outage: the star load itself fails, every time.
        await harness.ScalarAsync<object?>("ALTER TABLE time RENAME TO time_elsewhere");
        await harness.StartTransformAsync();

        var batchId = await harness.ScanAsync();

        Assert.Equal("failed", await harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(90)));
        Assert.Equal(3, await harness.ScalarAsync<int>("SELECT star_load_attempts FROM batches WHERE batch_id = $1", batchId));
        Assert.Contains("the star load failed 3 times", await harness.ScalarAsync<string>("SELECT error FROM batches WHERE batch_id = $1", batchId));
    }

}
