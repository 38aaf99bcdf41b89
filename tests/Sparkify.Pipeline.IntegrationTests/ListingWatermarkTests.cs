using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// An ordered prefix (log_data/, dated keys) is listed after the key where its last listing ended; a key that appears
/// below that watermark is found by the next full listing; a prefix not configured as ordered (song_data/) is listed
/// whole every time.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ListingWatermarkTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private static readonly string[] Prefixes = ["song_data/", "log_data/"];
    private const string Song = """{"num_songs":1,"artist_id":"AR1","artist_latitude":null,"artist_longitude":null,"artist_location":"","artist_name":"A","song_id":"SO1","title":"T","duration":1.0,"year":0}""";

    private static async Task<(long? BatchId, List<S3ListingRecorder.ListCall> Calls)> ScanAsync(PipelineHarness harness)
    {
        var (s3, listings) = S3ListingRecorder.Wrap(harness.S3);
        var ingest = harness.BuildIngest(replace: services => services.AddSingleton(s3));
        var batchId = await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(Prefixes, CancellationToken.None);
        return (batchId, [.. listings.Calls]);
    }

    private static Task<string[]> ManifestAsync(PipelineHarness harness, long? batchId) =>
        harness.ScalarAsync<string[]>(
            "SELECT array_agg(substring(file_key from '^s3://[^/]+/(.*)$') ORDER BY file_key) FROM batch_files WHERE batch_id = $1", batchId!.Value);

    [Fact]
    public async Task Keys_after_the_watermark_are_listed_after_it_and_one_below_it_is_found_by_the_next_full_listing()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs, extra: new Dictionary<string, string?>
        {
            ["Sparkify:Ingest:OrderedPrefixes"] = "log_data/",
            ["Sparkify:Ingest:FullListingIntervalMinutes"] = "60",
        });
        await harness.UploadAsync("log_data/2018/11/2018-11-05-events.json", TestEvents.Plays(2));
        await harness.UploadAsync("log_data/2018/11/2018-11-06-events.json", TestEvents.Plays(2, firstItem: 10));
        var (first, firstCalls) = await ScanAsync(harness);
        Assert.All(firstCalls, call => Assert.Null(call.StartAfter));
        Assert.Equal(2, (await ManifestAsync(harness, first)).Length);

        await harness.UploadAsync("log_data/2018/11/2018-11-07-events.json", TestEvents.Plays(2, firstItem: 20));
        await harness.UploadAsync("log_data/2018/11/2018-11-01-events.json", TestEvents.Plays(2, firstItem: 30));
        await harness.UploadAsync("song_data/A/A/A/TRAAAAW128F429D538.json", Song);
        var (second, secondCalls) = await ScanAsync(harness);

        Assert.Equal("log_data/2018/11/2018-11-06-events.json", Assert.Single(secondCalls, c => c.Prefix == "log_data/").StartAfter);
        Assert.Null(Assert.Single(secondCalls, c => c.Prefix == "song_data/").StartAfter);
        Assert.Equal(["log_data/2018/11/2018-11-07-events.json", "song_data/A/A/A/TRAAAAW128F429D538.json"], await ManifestAsync(harness, second));

        // An hour passes: the full listing is due, and it finds the key below the watermark.
        await harness.ScalarAsync<object>("UPDATE listing_watermarks SET full_listing_at = now() - interval '61 minutes' RETURNING NULL");
        var (third, thirdCalls) = await ScanAsync(harness);

        Assert.All(thirdCalls, call => Assert.Null(call.StartAfter));
        Assert.Equal(["log_data/2018/11/2018-11-01-events.json"], await ManifestAsync(harness, third));
        Assert.Equal(["log_data/", "log_data/2018/11/2018-11-07-events.json"],
            await harness.ScalarAsync<string[]>("SELECT ARRAY[prefix, last_key] FROM listing_watermarks WHERE full_listing_at > now() - interval '1 minute'"));
    }
}
