using System.Text;
using Sparkify.Testing;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// Two versions of a key uploaded within one second (S3's LastModified has whole seconds): the one the later pipeline
/// batch saw stays loaded, whichever is staged first and whatever their ETags.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SameSecondVersionTests(PostgresFixture postgres)
{
    private const string Key = "s3://bucket/" + InputFiles.LogKey;
    private static readonly DateTimeOffset SameSecond = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static SourceFile Version(string content, string etag, long seenInBatch) =>
        new(Key, etag, content.Length, FileKind.Event, _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(content))))
        {
            LastModified = SameSecond, SeenInBatch = seenInBatch,
        };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_version_the_later_batch_saw_stays_loaded_in_either_staging_order(bool laterStagedFirst)
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var manifests = new BatchManifests(warehouse.DataSource);
        // The earlier upload has the greater ETag: by time then ETag it would win.
        var earlierBatch = await manifests.OpenAsync("scan", [new ManifestFile(Key, "ffff", 1, SameSecond)]);
        var laterBatch = await manifests.OpenAsync("scan", [new ManifestFile(Key, "0000", 1, SameSecond)]);
        var earlier = Version(string.Join("\n", InputFiles.Plays(3)), "ffff", earlierBatch);
        var later = Version(string.Join("\n", InputFiles.Plays(5)), "0000", laterBatch);
        var loader = new StagingLoader(warehouse.DataSource, new LoadOptions());

        foreach (var (batchId, file) in laterStagedFirst ? new[] { (laterBatch, later), (earlierBatch, earlier) } : [(earlierBatch, earlier), (laterBatch, later)])
        {
            await loader.LoadAsync(batchId, [file]);
        }

        Assert.Equal("0000", await warehouse.ScalarAsync<string>("SELECT etag FROM load_files WHERE status = 'loaded'"));
        Assert.Equal("ffff", await warehouse.ScalarAsync<string>("SELECT etag FROM load_files WHERE status = 'superseded'"));
    }
}
