using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sparkify.Ingest;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>A key uploaded twice within one second: the content uploaded last is the one loaded, scan to staging.</summary>
[Collection(PipelineCollection.Name)]
public sealed class SameSecondVersionTests(PostgresFixture postgres, FauxqsFixture fauxqs)
{
    private const string Key = "log_data/2018/11/2018-11-05-events.json";

    [Fact]
    public async Task A_new_upload_in_the_same_second_as_the_loaded_one_replaces_it_whatever_the_ETags()
    {
        await using var harness = await PipelineHarness.CreateAsync(postgres, fauxqs);
        // The first upload has the greater ETag (S3's is the MD5 of the bytes): by time, then ETag, it would stay.
        var (first, second) = ContentsWhoseFirstHasTheGreaterETag();
        await harness.StartTransformAsync();
        await harness.UploadAsync(Key, first);
        var firstBatch = await ScanAsync(harness);
        Assert.Equal("completed", await harness.WaitForBatchAsync(firstBatch));

        await harness.UploadAsync(Key, second);
        var secondBatch = await ScanAsync(harness);

        Assert.Equal("completed", await harness.WaitForBatchAsync(secondBatch));
        Assert.Equal(ETag(second), await harness.ScalarAsync<string>("SELECT etag FROM load_files WHERE status = 'loaded'"));
        Assert.Equal(ETag(first), await harness.ScalarAsync<string>("SELECT etag FROM load_files WHERE status = 'superseded'"));
        Assert.Equal(5L, await harness.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    private static async Task<long> ScanAsync(PipelineHarness harness)
    {
        // Ingest lists both uploads as made in the same second.
        var s3 = S3SameSecondListing.Wrap(harness.S3);
        using var ingest = harness.BuildIngest(replace: services => services.AddSingleton(s3));
        return (await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None))!.Value;
    }

    private static (string First, string Second) ContentsWhoseFirstHasTheGreaterETag()
    {
        var second = TestEvents.Plays(5);
        for (var session = 1; ; session++)
        {
            var first = TestEvents.Plays(3, sessionId: session);
            if (string.CompareOrdinal(ETag(first), ETag(second)) > 0)
            {
                return (first, second);
            }
        }
    }

    private static string ETag(string content) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(content)));
}
