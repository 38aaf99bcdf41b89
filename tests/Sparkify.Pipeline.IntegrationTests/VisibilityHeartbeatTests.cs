using Amazon.SQS.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Sparkify.Testing;
using Sparkify.Transform;

namespace Sparkify.Pipeline.IntegrationTests;

[Collection(PipelineCollection.Name)]
public sealed class VisibilityHeartbeatTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private const int VisibilitySeconds = 4;

    [Fact]
    public async Task A_message_stays_invisible_while_its_file_loads_and_comes_back_when_the_heartbeat_stops()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        var queueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        await harness.Sqs.SendMessageAsync(queueUrl, "a file that takes long to load");
        var received = await ReceiveAsync(harness, queueUrl, waitSeconds: 5);
        Assert.Single(received);
        var (sqs, calls) = SqsRecorder.Wrap(harness.Sqs);

        await using (new VisibilityHeartbeat(sqs, queueUrl, received, VisibilitySeconds, NullLogger.Instance))
        {
            // Asked again and again until the heartbeat has extended the visibility three times (6 s at a beat every
            // 2 s, past the 4 s a message stays invisible without it): never there meanwhile.
            while (calls.Calls(nameof(sqs.ChangeMessageVisibilityBatchAsync)) < 3)
            {
                Assert.Empty(await ReceiveAsync(harness, queueUrl, waitSeconds: 1));
            }
        }

        Assert.Single(await ReceiveAsync(harness, queueUrl, waitSeconds: 10));
    }

    private static async Task<List<Message>> ReceiveAsync(PipelineHarness harness, string queueUrl, int waitSeconds)
    {
        var response = await harness.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = waitSeconds, VisibilityTimeout = VisibilitySeconds,
        });
        return response.Messages ?? [];
    }
}
