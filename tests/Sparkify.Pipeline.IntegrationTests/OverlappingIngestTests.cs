using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Pipeline.Hosting;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>Two Ingest runs that overlap (a scheduled run while the previous one is still publishing) never publish a file twice.</summary>
[Collection(PipelineCollection.Name)]
public sealed class OverlappingIngestTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    [Fact]
    public async Task A_run_that_starts_while_another_is_publishing_its_batch_publishes_nothing_of_it()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        for (var i = 1; i <= 3; i++)
        {
            await harness.UploadAsync($"log_data/2018/11/2018-11-0{i}-events.json", TestEvents.Plays(2, firstItem: i * 10));
        }
        // The first run has opened its batch and is in the middle of publishing it.
        var (heldSqs, sends) = HeldSends.Wrap(harness.Sqs);
        var first = harness.BuildIngest(replace: services => services.AddSingleton(heldSqs));
        var publishing = first.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None);
        await sends.Entered.WaitAsync(TimeSpan.FromSeconds(30));

        // The next scheduled run starts meanwhile, and ends.
        var second = await harness.RunWorkerAsync(PipelineHarness.AddIngest, new Dictionary<string, string?> { ["Sparkify:Ingest:Mode"] = "Once" })
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(WorkerExitCodes.Success, second);
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.Options.QueueName));
        sends.Release();
        var batchId = (await publishing.WaitAsync(TimeSpan.FromSeconds(30)))!.Value;
        Assert.Equal(3, await harness.ApproximateMessagesAsync(harness.Options.QueueName));

        await harness.StartTransformAsync();
        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal(3L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files"));
    }
}
