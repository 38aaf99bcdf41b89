using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// The scan streams its listing: each page's new files are recorded in the batch's manifest and published before the
/// next page is asked for (memory holds one page), and the batch is sealed only once the listing has ended.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class StreamedListingTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private static readonly string[] LogPrefix = ["log_data/"];

    private static async Task<PipelineHarness> SixLogFilesListedTwoAPageAsync(PostgresFixture postgres, FauxqsFixture fauxqs)
    {
        var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?> { ["Sparkify:Ingest:ListPageSize"] = "2" });
        for (var day = 1; day <= 6; day++)
        {
            await harness.UploadAsync($"log_data/2018/11/2018-11-0{day}-events.json", TestEvents.Plays(2, firstItem: day * 10));
        }
        return harness;
    }

    [Fact]
    public async Task Each_page_is_recorded_and_published_before_the_next_is_asked_for_and_the_batch_sealed_after_the_last()
    {
        await using var harness = await SixLogFilesListedTwoAPageAsync(postgres, fauxqs);
        var seenBeforeEachCall = new List<(long Recorded, long Sealed)>();
        var (s3, listings) = S3ListingRecorder.Wrap(harness.S3, async _ => seenBeforeEachCall.Add((
            await harness.ScalarAsync<long>("SELECT count(*) FROM batch_files WHERE published_at IS NOT NULL"),
            await harness.ScalarAsync<long>("SELECT count(*) FROM batches WHERE expected_files IS NOT NULL"))));
        var ingest = harness.BuildIngest(replace: services => services.AddSingleton(s3));

        var batchId = await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(LogPrefix, CancellationToken.None);

        Assert.Equal(3, listings.Calls.Count);
        // Before asking for page n, the files of pages 1..n-1 were in the manifest and published; the batch was not sealed.
        Assert.Equal([(0L, 0L), (2L, 0L), (4L, 0L)], seenBeforeEachCall);
        Assert.Equal(6, await harness.ScalarAsync<int>("SELECT expected_files FROM batches WHERE batch_id = $1", batchId!.Value));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal(6, await harness.ApproximateMessagesAsync(harness.Options.QueueName));
    }

    [Fact]
    public async Task A_listing_that_dies_half_way_leaves_a_batch_the_next_scan_continues_and_seals_whole()
    {
        await using var harness = await SixLogFilesListedTwoAPageAsync(postgres, fauxqs);
        // S3 fails the third page: two pages (four files) are recorded and published, the listing ends there.
        var (failing, _) = S3ListingRecorder.Wrap(harness.S3, call => call == 3 ? throw new IOException("connection reset") : Task.CompletedTask);
        var dying = harness.BuildIngest(replace: services => services.AddSingleton(failing));
        await Assert.ThrowsAsync<IOException>(() => dying.Services.GetRequiredService<IngestScan>().ScanOnceAsync(LogPrefix, CancellationToken.None));
        var interrupted = await harness.ScalarAsync<long>("SELECT batch_id FROM batches");
        Assert.True(await harness.ScalarAsync<bool>("SELECT expected_files IS NULL FROM batches WHERE batch_id = $1", interrupted));

        var next = await harness.BuildIngest().Services.GetRequiredService<IngestScan>().ScanOnceAsync(LogPrefix, CancellationToken.None);
        await harness.StartTransformAsync();

        // One scan's files make one batch, however its listing was interrupted.
        Assert.Equal(interrupted, next);
        Assert.Equal("completed", await harness.WaitForBatchAsync(interrupted, TimeSpan.FromSeconds(60)));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM batches"));
        Assert.Equal(6, await harness.ScalarAsync<int>("SELECT expected_files FROM batches WHERE batch_id = $1", interrupted));
        Assert.Equal(6L, await harness.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(12L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }
}
