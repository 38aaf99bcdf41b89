using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Testing;
using Sparkify.Warehouse.Staging;
using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse.IntegrationTests;

[Collection(PostgresCollection.Name)]
public sealed class SampleLoadTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_real_sample_gives_the_published_counts()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(SampleData.Folder);

        Assert.Equal("completed", report.Status);
        Assert.Equal(101, report.FilesLoaded);
        Assert.All(report.Checks, check => Assert.True(check.Passed, check.Name));
        Assert.Equal(SampleExpectations.Counts, await warehouse.CountsAsync());
    }

    [Fact]
    public async Task Exactly_one_play_matches_a_song()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await warehouse.LoadFolderAsync(SampleData.Folder);

        var matched = await warehouse.RowsAsync(
            "SELECT song_id, artist_id, user_id, session_id, start_time, level FROM songplays WHERE song_id IS NOT NULL OR artist_id IS NOT NULL");

        var play = Assert.Single(matched);
        Assert.Equal("SOZCTXZ12AB0182364", play[0]);
        Assert.Equal("AR5KOSW1187FB35FF4", play[1]);
        Assert.Equal(15L, play[2]);
        Assert.Equal(818, play[3]);
        Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(1542837407796), play[4]);
        Assert.Equal("paid", play[5]);
    }

    [Fact]
    public async Task Users_who_switch_level_carry_the_level_of_their_last_event()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await warehouse.LoadFolderAsync(SampleData.Folder);
        var expected = SampleExpectations.UserLevels();

        Assert.Equal(SampleExpectations.LevelSwitchers, expected.Where(u => u.Value.Levels.Count > 1).Select(u => u.Key).Order());
        foreach (var user in expected.Keys)
        {
            var level = await warehouse.ScalarAsync<string>("SELECT level FROM users WHERE user_id = $1", user);
            Assert.True(expected[user].Latest == level, $"user {user}: expected {expected[user].Latest}, found {level}");
        }
    }

    [Fact]
    public async Task Loading_the_sample_again_changes_nothing()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await warehouse.LoadFolderAsync(SampleData.Folder);
        var digests = await warehouse.StarDigestsAsync();

        var again = await warehouse.LoadFolderAsync(SampleData.Folder);

        Assert.Equal(101, again.FilesAlreadyLoaded);
        Assert.Equal(0, again.FilesLoaded);
        Assert.Equal(SampleExpectations.Counts, await warehouse.CountsAsync());
        Assert.Equal(digests, await warehouse.StarDigestsAsync());
        Assert.Equal(101L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM load_files"));
    }

    [Fact]
    public async Task Running_the_star_load_again_over_the_same_files_changes_nothing()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var first = await warehouse.LoadFolderAsync(SampleData.Folder);
        var digests = await warehouse.StarDigestsAsync();

        // As if the first star load's bookkeeping had been lost: every file is pending again, the batch open.
        await warehouse.ScalarAsync<object>("DELETE FROM star_files RETURNING NULL");
        await warehouse.ScalarAsync<object>("UPDATE batches SET status = 'open' RETURNING NULL");
        var claim = await new StarLoadClaims(warehouse.DataSource).ClaimOwnAsync(first.BatchId);
        var (attempt, rerun) = await new BatchFinisher(warehouse.DataSource, StarLoadLimits.None).FinishAsync(first.BatchId, claim.Owner, 0, 0);

        Assert.Equal(StarAttempt.Done, attempt);
        Assert.Equal(101, rerun!.Star.FilesTakenIn);
        Assert.Equal(0, rerun.Star.RowsChanged);
        Assert.Equal("completed", rerun.Status);
        Assert.Equal(SampleExpectations.Counts, await warehouse.CountsAsync());
        Assert.Equal(digests, await warehouse.StarDigestsAsync());
    }

    [Fact]
    public async Task Loading_logs_before_songs_gives_the_same_tables()
    {
        await using var songsFirst = await TestWarehouse.CreateAsync(postgres);
        await songsFirst.LoadFolderAsync(SampleData.Folder);
        await using var logsFirst = await TestWarehouse.CreateAsync(postgres);

        await logsFirst.LoadFolderAsync(SampleData.Folder, filter: f => f.Kind == FileKind.Event);
        Assert.Equal(0L, await logsFirst.ScalarAsync<long>("SELECT count(*) FROM songplays WHERE song_id IS NOT NULL"));
        await logsFirst.LoadFolderAsync(SampleData.Folder, filter: f => f.Kind == FileKind.Song);

        Assert.Equal(SampleExpectations.Counts, await logsFirst.CountsAsync());
        Assert.Equal(await songsFirst.StarDigestsAsync(), await logsFirst.StarDigestsAsync());
    }

    [Fact]
    public async Task Two_loaders_racing_on_the_same_files_stage_each_file_once()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var files = await LocalSourceFiles.FindAsync(SampleData.Folder);
        var options = new LoadOptions { MaxFilesPerTransaction = 7 };

        var reports = await Task.WhenAll(
            new WarehouseLoader(warehouse.DataSource, options).LoadAsync("racer-1", files),
            new WarehouseLoader(warehouse.DataSource, options).LoadAsync("racer-2", [.. files.Reverse()]));

        Assert.Equal(101, reports.Sum(r => r.FilesLoaded));
        Assert.Equal(101, reports.Sum(r => r.FilesAlreadyLoaded));
        Assert.Equal(SampleExpectations.Counts, await warehouse.CountsAsync());
    }
}
