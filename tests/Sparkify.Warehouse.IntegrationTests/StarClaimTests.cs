using Npgsql;
using Sparkify.Testing;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// A star-load claim has an owner: only the owner releases, fails or finishes it; a claim is taken over only when it
/// is old and nobody holds its batch; a live load is never taken over, however long it takes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StarClaimTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(1);

    /// <summary>A pipeline batch whose one file is staged (ready for its star load).</summary>
    private static async Task<long> SettledBatchAsync(TestWarehouse warehouse)
    {
        using var folder = new TempFolder();
        folder.Write(InputFiles.LogKey, string.Join("\n", InputFiles.Plays(3)));
        var files = await LocalSourceFiles.FindAsync(folder.Path);
        var manifest = files.Select(f => new ManifestFile(f.Key, f.ETag, f.Size)).ToList();
        var manifests = new BatchManifests(warehouse.DataSource);
        var batchId = await manifests.OpenAsync("test", manifest);
        await new StagingLoader(warehouse.DataSource, new LoadOptions()).LoadAsync(batchId, files);
        await manifests.MarkStagedAsync(batchId, manifest);
        return batchId;
    }

    private static Task AgeClaimAsync(TestWarehouse warehouse, long batchId) =>
        warehouse.ScalarAsync<object>("UPDATE batches SET star_claimed_at = now() - interval '1 hour' WHERE batch_id = $1 RETURNING NULL", batchId);

    [Fact]
    public async Task A_claim_taken_over_cannot_be_released_failed_or_finished_by_its_old_owner()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var claims = new StarLoadClaims(warehouse.DataSource);
        var batchId = await SettledBatchAsync(warehouse);
        var first = (await claims.TryClaimAsync(batchId, Stale))!;
        Assert.Null(await claims.TryClaimAsync(batchId, Stale));
        await AgeClaimAsync(warehouse, batchId);
        var second = (await claims.TryClaimAsync(batchId, Stale))!;
        Assert.NotEqual(first.Owner, second.Owner);

        Assert.False(await claims.ReleaseAsync(batchId, first.Owner));
        Assert.Null(await claims.CountFailureAsync(batchId, first.Owner, "late", 1, TimeSpan.Zero, TimeSpan.Zero));
        Assert.False(await claims.FailAsync(batchId, first.Owner, "late"));
        var (attempt, _) = await new BatchFinisher(warehouse.DataSource, StarLoadLimits.None).FinishAsync(batchId, first.Owner, 0, 0);

        Assert.Equal(StarAttempt.ClaimLost, attempt);
        Assert.Equal(("loading_star", second.Owner), (await warehouse.ScalarAsync<string>("SELECT status FROM batches WHERE batch_id = $1", batchId),
            await warehouse.ScalarAsync<Guid>("SELECT star_owner FROM batches WHERE batch_id = $1", batchId)));
        Assert.Equal(0L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM quality_check_results"));
        Assert.Equal(0L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));

        var (secondAttempt, outcome) = await new BatchFinisher(warehouse.DataSource, StarLoadLimits.None).FinishAsync(batchId, second.Owner, 0, 0);
        Assert.Equal((StarAttempt.Done, "completed"), (secondAttempt, outcome!.Status));
        Assert.Equal(4L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM quality_check_results"));
    }

    [Fact]
    public async Task A_live_star_load_is_never_taken_over_however_old_its_claim()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var claims = new StarLoadClaims(warehouse.DataSource);
        var batchId = await SettledBatchAsync(warehouse);
        var holder = (await claims.TryClaimAsync(batchId, Stale))!;
        // Another star load runs (the test holds the star-load lock): the holder's load waits, alive, inside its transaction.
        await using var other = await warehouse.DataSource.OpenConnectionAsync();
        await using (var lockIt = new NpgsqlCommand("SELECT pg_advisory_lock($1)", other))
        {
            lockIt.Parameters.Add(new() { Value = BatchFinisher.StarLoadLockKey });
            await lockIt.ExecuteNonQueryAsync();
        }
        // As old as a dead holder's claim would have to be.
        await AgeClaimAsync(warehouse, batchId);
        var load = new BatchFinisher(warehouse.DataSource, StarLoadLimits.None).FinishAsync(batchId, holder.Owner, 0, 0);
        await WaitUntilAsync(warehouse, "SELECT count(*) = 0 FROM (SELECT 1 FROM batches WHERE batch_id = $1 FOR NO KEY UPDATE SKIP LOCKED) free", batchId);

        Assert.Null(await claims.TryClaimAsync(batchId, Stale));
        Assert.Empty(await claims.FindSettledOpenAsync(Stale));

        await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", other))
        {
            unlock.Parameters.Add(new() { Value = BatchFinisher.StarLoadLockKey });
            await unlock.ExecuteNonQueryAsync();
        }
        var (attempt, outcome) = await load;
        Assert.Equal((StarAttempt.Done, "completed"), (attempt, outcome!.Status));
        Assert.Equal(4L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM quality_check_results WHERE batch_id = $1", batchId));
    }

    [Fact]
    public async Task A_failing_star_load_is_retried_later_and_then_fails_its_batch_with_none_of_its_rows_in_the_star_schema()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var claims = new StarLoadClaims(warehouse.DataSource);
        var batchId = await SettledBatchAsync(warehouse);

        var first = (await claims.TryClaimAsync(batchId, Stale))!;
        Assert.Equal((1, false), await claims.CountFailureAsync(batchId, first.Owner, "boom", 2, TimeSpan.FromHours(1), TimeSpan.FromHours(1)));
        // Not before its retry time.
        Assert.Null(await claims.TryClaimAsync(batchId, Stale));
        Assert.Empty(await claims.FindSettledOpenAsync(Stale));
        await warehouse.ScalarAsync<object>("UPDATE batches SET star_retry_at = now() RETURNING NULL");
        var second = (await claims.TryClaimAsync(batchId, Stale))!;
        Assert.Equal((2, true), await claims.CountFailureAsync(batchId, second.Owner, "boom again", 2, TimeSpan.Zero, TimeSpan.Zero));

        Assert.Equal(["failed", "the star load failed 2 times; last: boom again"],
            Assert.Single(await warehouse.RowsAsync("SELECT status, error FROM batches WHERE batch_id = $1", batchId)));
        Assert.Equal("failed", await warehouse.ScalarAsync<string>("SELECT status FROM load_files"));
        Assert.Equal("failed", await warehouse.ScalarAsync<string>("SELECT state FROM batch_files"));
        Assert.Equal(0L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        Assert.Equal(0L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    private static async Task WaitUntilAsync(TestWarehouse warehouse, string sql, long batchId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await warehouse.ScalarAsync<bool>(sql, batchId))
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
