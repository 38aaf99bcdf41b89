using Sparkify.Testing;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// A scan's batch is recorded page by page while the listing goes on: until the listing has ended (the batch sealed,
/// expected_files set) no star load claims it, even when every file recorded so far has settled.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ListingBatchTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_batch_still_being_listed_is_not_claimed_though_its_files_so_far_are_staged_and_is_once_sealed()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var folder = new TempFolder();
        folder.Write(InputFiles.LogKey, string.Join("\n", InputFiles.Plays(3)));
        var files = await LocalSourceFiles.FindAsync(folder.Path);
        var firstPage = files.Select(f => new ManifestFile(f.Key, f.ETag, f.Size)).ToList();
        var listing = new ListingBatches(warehouse.DataSource);
        var claims = new StarLoadClaims(warehouse.DataSource);
        var batchId = await listing.OpenAsync("test", firstPage, traceParent: null);
        await new StagingLoader(warehouse.DataSource, new LoadOptions()).LoadAsync(batchId, files);
        await new BatchManifests(warehouse.DataSource).MarkStagedAsync(batchId, firstPage);

        Assert.Null(await claims.TryClaimAsync(batchId, Stale));
        Assert.Empty(await claims.FindSettledOpenAsync(Stale));

        await listing.SealAsync(batchId);

        Assert.Equal(1, await warehouse.ScalarAsync<int>("SELECT expected_files FROM batches WHERE batch_id = $1", batchId));
        Assert.Equal([batchId], await claims.FindSettledOpenAsync(Stale));
        Assert.NotNull(await claims.TryClaimAsync(batchId, Stale));
    }

    [Fact]
    public async Task A_batch_whose_listing_died_is_continued_by_a_scan_of_its_source_sealed_by_any_other_and_a_local_batch_is_left_alone()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var listing = new ListingBatches(warehouse.DataSource);
        var manifests = new BatchManifests(warehouse.DataSource);
        var batchId = await listing.OpenAsync("test", [new ManifestFile("s3://b/log_data/a.json", "e1", 1)], traceParent: null);
        await listing.AddAsync(batchId, [new ManifestFile("s3://b/log_data/b.json", "e2", 1)]);
        var local = await new BatchStore(warehouse.DataSource).OpenAsync("a folder");
        // While it is listed (or once its listing died) the batch is a pipeline batch, never one `sparkify load` finishes.
        Assert.Equal([local], await LocalBatchLiveness.FindUnfinishedAsync(warehouse.DataSource, CancellationToken.None));

        await using (var scanLock = (await manifests.TryLockScanAsync())!)
        {
            // The next scan of the same prefixes continues it: still unsealed, its new files will join it.
            var (same, noneSealed) = await listing.ContinueInterruptedAsync(scanLock, "test");
            Assert.Equal(batchId, same);
            Assert.Empty(noneSealed);
            Assert.True(await warehouse.ScalarAsync<bool>("SELECT expected_files IS NULL FROM batches WHERE batch_id = $1", batchId));
            // A scan of other prefixes seals it with what it holds.
            var (continued, sealedBatches) = await listing.ContinueInterruptedAsync(scanLock, "other prefixes");
            Assert.Null(continued);
            Assert.Equal([batchId], sealedBatches);
        }

        Assert.Equal(2, await warehouse.ScalarAsync<int>("SELECT expected_files FROM batches WHERE batch_id = $1", batchId));
        // A batch of `sparkify load` has no manifest: it is not a listing's, and stays as it is.
        Assert.True(await warehouse.ScalarAsync<bool>("SELECT expected_files IS NULL FROM batches WHERE batch_id = $1", local));
        Assert.Equal([local], await LocalBatchLiveness.FindUnfinishedAsync(warehouse.DataSource, CancellationToken.None));
    }
}
