using Amazon.S3;
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
        brownout.Start();
        await harness.StartTransformAsync(services => services.AddSingleton(s3));
        using var ingest = harness.BuildIngest();
        var batchId = (await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None))!.Value;

        await Task.Delay(TimeSpan.FromSeconds(15));
        Assert.True(brownout.Failures > 0, "the brownout was never hit");
        brownout.Stop();

        Assert.Equal("completed", await harness.WaitForBatchAsync(batchId, TimeSpan.FromSeconds(90)));
        Assert.Equal(0, await harness.ScalarAsync<int>("SELECT files_failed FROM batches WHERE batch_id = $1", batchId));
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'failed'"));
        Assert.Equal(20L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(0, await harness.ApproximateMessagesAsync(harness.Options.DeadLetterQueueName));
    }
}
