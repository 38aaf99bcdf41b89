using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests.Outages;

/// <summary>S3 unavailable while SQS works: only a file's own content, or its absence, counts against it.</summary>
[Collection(PipelineCollection.Name)]
public sealed class SourceOutageTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    [Fact]
    public async Task An_S3_brownout_longer_than_the_receives_last_fails_no_file_and_loses_none()
    {
        // Two receives, 5 s apart: without waiting out the brownout every file would be failed, then dead-lettered.
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, maxReceives: 2, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Transform:VisibilityTimeoutSeconds"] = "5",
            ["Sparkify:Retry:FirstDelaySeconds"] = "0.5",
            ["Sparkify:Retry:MaxDelaySeconds"] = "1",
        });
        for (var i = 0; i < 20; i++)
        {
            await harness.UploadAsync($"log_data/2018/11/2018-11-{i + 1:00}-events.json", TestEvents.Plays(5, sessionId: i + 1));
        }
        var (s3, brownout) = S3Brownout.Wrap(harness.S3);
        var (sqs, receives) = SqsRecorder.Wrap(harness.Sqs);
        brownout.Start();
        await harness.StartTransformAsync(services =>
        {
            services.AddSingleton(s3);
            services.AddSingleton(sqs);
        });
        using var ingest = harness.BuildIngest();
        var batchId = (await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None))!.Value;

        // The brownout lasts longer than all the receives of a message (2 × 5 s), counted from when it is first met.
        await harness.WaitUntilAsync(() => Task.FromResult(brownout.Failures > 0), "the brownout met");
        await Task.Delay(TimeSpan.FromSeconds(15));
        brownout.Stop();

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(90)));
        Assert.Equal(0, await harness.ScalarAsync<int>("SELECT files_failed FROM batches WHERE batch_id = $1", batchId));
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'failed'"));
        Assert.Equal(20L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.DeadLetterQueueName));
        // No receive was spent on the brownout: every message was received once.
        Assert.Empty(receives.ReceivedAgain(harness.Options.QueueName));
        Assert.Equal(20, receives.Received(harness.Options.QueueName).Select(m => m.MessageId).Distinct().Count());
    }
}
