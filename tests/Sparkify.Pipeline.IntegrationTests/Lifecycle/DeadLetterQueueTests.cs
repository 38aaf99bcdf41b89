using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Pipeline.Hosting;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests.Lifecycle;

/// <summary>
/// The dead-letter queue is the one the file queue's RedrivePolicy names — no setting names it — and a worker that
/// needs it refuses to start when the queue has no such policy. On the tests' fauxqs.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class DeadLetterQueueTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private const string Key = "log_data/2018/11/2018-11-05-events.json";

    [Fact]
    public async Task The_replay_reads_the_queue_the_RedrivePolicy_names_whatever_its_name()
    {
        var deadLetterQueueName = "elsewhere-" + Guid.NewGuid().ToString("N")[..8];
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, deadLetterQueueName: deadLetterQueueName);
        await harness.UploadAsync(Key, TestEvents.Plays(3));
        using var ingest = harness.BuildIngest();
        var stuck = (await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None))!.Value;
        // The file's message dead-lettered unsettled, into the RedrivePolicy's target.
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        var deadUrl = (await harness.Sqs.GetQueueUrlAsync(deadLetterQueueName)).QueueUrl;
        var message = (await harness.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 1 })).Messages.Single();
        await harness.Sqs.SendMessageAsync(deadUrl, message.Body);
        await harness.Sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);

        var replay = await ingest.Services.GetRequiredService<DeadLetterReplayer>().ReplayAsync(CancellationToken.None);
        await harness.StartTransformAsync();

        Assert.NotNull(replay);
        Assert.Equal("completed", await harness.WaitForBatchAsync(replay.Value));
        Assert.Equal("completed_with_failures", await harness.WaitForBatchAsync(stuck));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(deadLetterQueueName));
    }

    [Fact]
    public async Task A_replay_refuses_to_start_with_exit_code_2_when_the_queue_has_no_RedrivePolicy()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        var plainQueue = "plain-" + Guid.NewGuid().ToString("N")[..8];
        await harness.Sqs.CreateQueueAsync(plainQueue);
        var logs = new LogRecorder();

        var code = await harness.RunWorkerAsync(PipelineHarness.AddIngest, new Dictionary<string, string?>
        {
            ["Sparkify:Ingest:Mode"] = "ReplayDeadLetters", ["Sparkify:QueueName"] = plainQueue,
        }, logs).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(WorkerExitCodes.Misconfigured, code);
        await logs.WaitForAsync(line => line.Contains($"the file queue {plainQueue} has no RedrivePolicy naming a dead-letter queue", StringComparison.Ordinal),
            "the refusal saying why", TimeSpan.FromSeconds(5));
    }
}
