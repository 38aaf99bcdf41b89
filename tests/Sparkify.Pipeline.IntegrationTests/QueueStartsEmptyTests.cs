using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Pipeline.Hosting;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// The local run keeps its warehouse while its queue lives in memory: a batch an interrupted run left open has lost its
/// messages, and the next run publishes its queued files again instead of waiting for them for days.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class QueueStartsEmptyTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    [Fact]
    public async Task An_open_batch_whose_queue_started_empty_is_published_again_and_completes()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", TestEvents.Plays(3));
        long batchId;
        using (var ingest = harness.BuildIngest())
        {
            batchId = (await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None))!.Value;
        }
        // The run ends before the file is staged; the queue goes with it.
        await harness.Sqs.PurgeQueueAsync(new PurgeQueueRequest { QueueUrl = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl });

        var next = await harness.RunWorkerAsync(PipelineHarness.AddIngest, new Dictionary<string, string?>
        {
            ["Sparkify:Ingest:Mode"] = "Once", ["Sparkify:Ingest:QueueStartsEmpty"] = "true",
        }).WaitAsync(TimeSpan.FromSeconds(60));
        await harness.StartTransformAsync();

        Assert.Equal(WorkerExitCodes.Success, next);
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(30)));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }
}
