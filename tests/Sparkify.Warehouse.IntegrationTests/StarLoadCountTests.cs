using Sparkify.Testing;
using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// What a star load reports it changed is what it changed, table by table; and the bulk path (indexes built after the
/// insert) gives the same star schema, with the same indexes, as the row-by-row path.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StarLoadCountTests(PostgresFixture postgres)
{
    private const long Nov5 = 1541376000000;
    private static readonly StarLoadLimits AlwaysBulk = StarLoadLimits.None with { BulkMinimumPlays = 1 };
    private static readonly StarLoadLimits NeverBulk = StarLoadLimits.None with { BulkMinimumPlays = int.MaxValue };

    private static async Task<StarLoadResult> LoadAsync(TestWarehouse warehouse, string key, string content, StarLoadLimits? limits = null,
        string expectedStatus = "completed")
    {
        using var folder = new TempFolder();
        folder.Write(key, content);
        var report = await warehouse.LoadFolderAsync(folder.Path, starLimits: limits ?? NeverBulk);
        Assert.Equal(expectedStatus, report.Status);
        return report.Star;
    }

    [Fact]
    public async Task A_replaced_play_counts_as_an_update_and_its_time_row_as_an_insert_and_a_delete()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var first = await LoadAsync(warehouse, "log_data/2018/11/2018-11-05-a.json", string.Join("\n",
            InputFiles.Play(1, Nov5 + 1000, itemInSession: 1), InputFiles.Play(1, Nov5 + 2000, itemInSession: 2)));
        Assert.Equal((1, false), (first.FilesTakenIn, first.Bulk));
        Assert.Equal(new TableChanges(2, 0, 0), first.Songplays);
        Assert.Equal(new TableChanges(1, 0, 0), first.Users);
        Assert.Equal(new TableChanges(2, 0, 0), first.Time);

        // Another file's event for play (1, 100, 2), later and on a paid level: it wins over the play loaded before.
        // It disagrees with the play it replaces: the batch's conflicting-duplicates check says so.
        var second = await LoadAsync(warehouse, "log_data/2018/11/2018-11-05-b.json",
            InputFiles.Play(1, Nov5 + 5000, level: "paid", itemInSession: 2), expectedStatus: "completed_with_failures");

        Assert.Equal(new TableChanges(0, 1, 0), second.Songplays);
        Assert.Equal(new TableChanges(0, 1, 0), second.Users);
        Assert.Equal(new TableChanges(1, 0, 1), second.Time);
        Assert.Equal(TableChanges.None, second.Songs);
        Assert.Equal("songplays 1 updated; users 1 updated; time 1 inserted, 1 deleted", StarChanges.Describe(second));
        Assert.Equal([[1, "free"], [2, "paid"]], await warehouse.RowsAsync("SELECT item_in_session, level FROM songplays ORDER BY 1"));
        Assert.Equal(2L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM time"));
    }

    [Fact]
    public async Task A_corrected_file_counts_the_plays_and_dimension_rows_it_took_out_and_put_in()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var folder = new TempFolder();
        var path = folder.Write(InputFiles.LogKey, string.Join("\n",
            InputFiles.Play(1, Nov5 + 1000, itemInSession: 1), InputFiles.Play(1, Nov5 + 2000, itemInSession: 2),
            InputFiles.Play(2, Nov5 + 3000, sessionId: 7, itemInSession: 1)));
        File.SetLastWriteTimeUtc(path, new DateTime(2018, 11, 5, 0, 0, 0, DateTimeKind.Utc));
        await warehouse.LoadFolderAsync(folder.Path, starLimits: NeverBulk);

        // The corrected version drops user 2's play and adds a third play of user 1.
        path = folder.Write(InputFiles.LogKey, string.Join("\n",
            InputFiles.Play(1, Nov5 + 1000, itemInSession: 1), InputFiles.Play(1, Nov5 + 2000, itemInSession: 2),
            InputFiles.Play(1, Nov5 + 4000, itemInSession: 3)));
        File.SetLastWriteTimeUtc(path, new DateTime(2018, 11, 6, 0, 0, 0, DateTimeKind.Utc));
        var star = (await warehouse.LoadFolderAsync(folder.Path, starLimits: NeverBulk)).Star;

        Assert.Equal((1, 1), (star.FilesTakenIn, star.FilesRetired));
        // The old version's three plays leave; the new version's three come in (two of them as they were).
        Assert.Equal(new TableChanges(3, 0, 3), star.Songplays);
        Assert.Equal(new TableChanges(0, 0, 1), star.Users);
        Assert.Equal(new TableChanges(1, 0, 1), star.Time);
        Assert.Equal([[1L]], await warehouse.RowsAsync("SELECT user_id FROM users"));
        Assert.Equal(3L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM time"));
    }

    [Fact]
    public async Task The_bulk_path_gives_the_same_star_schema_and_the_same_indexes_as_the_row_by_row_path()
    {
        await using var bulk = await TestWarehouse.CreateAsync(postgres);
        await using var rowByRow = await TestWarehouse.CreateAsync(postgres);
        await using var fresh = await TestWarehouse.CreateAsync(postgres);
        var indexes = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('songplays', 'time') ORDER BY 1";
        var freshIndexes = await fresh.RowsAsync(indexes);

        var bulkReport = await bulk.LoadFolderAsync(SampleData.Folder, starLimits: AlwaysBulk);
        var rowReport = await rowByRow.LoadFolderAsync(SampleData.Folder, starLimits: NeverBulk);

        Assert.True(bulkReport.Star.Bulk);
        Assert.False(rowReport.Star.Bulk);
        Assert.Equal(SampleExpectations.Counts, await bulk.CountsAsync());
        Assert.Equal(await rowByRow.StarDigestsAsync(), await bulk.StarDigestsAsync());
        Assert.Equal(bulkReport.Star, rowReport.Star with { Bulk = true });
        Assert.Equal(freshIndexes, await bulk.RowsAsync(indexes));
        Assert.Contains(freshIndexes, r => (string)r[0]! == "songplays_file");

        // A later bulk load on top of the first: the plays already there are compared, not duplicated.
        var again = await bulk.LoadFolderAsync(SampleData.Folder, starLimits: AlwaysBulk);
        Assert.Equal(0L, again.Star.RowsChanged);
        Assert.Equal(await rowByRow.StarDigestsAsync(), await bulk.StarDigestsAsync());
    }

    [Fact]
    public async Task Duplicate_and_conflicting_events_resolve_the_same_on_both_paths()
    {
        var lines = string.Join("\n",
            InputFiles.Play(1, Nov5 + 1000, itemInSession: 1),
            InputFiles.Play(1, Nov5 + 1000, itemInSession: 1),
            InputFiles.Play(1, Nov5 + 2000, itemInSession: 2),
            InputFiles.Play(1, Nov5 + 2500, level: "paid", itemInSession: 2),
            InputFiles.Play(3, Nov5 + 3000, sessionId: 9, itemInSession: 4));
        await using var bulk = await TestWarehouse.CreateAsync(postgres);
        await using var rowByRow = await TestWarehouse.CreateAsync(postgres);

        var bulkStar = await LoadAsync(bulk, InputFiles.LogKey, lines, AlwaysBulk, "completed_with_failures");
        var rowStar = await LoadAsync(rowByRow, InputFiles.LogKey, lines, expectedStatus: "completed_with_failures");

        Assert.Equal(3L, await bulk.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(await rowByRow.StarDigestsAsync(), await bulk.StarDigestsAsync());
        Assert.Equal(new TableChanges(3, 0, 0), bulkStar.Songplays);
        Assert.Equal(rowStar with { Bulk = true }, bulkStar);
        Assert.Equal("paid", await bulk.ScalarAsync<string>("SELECT level FROM songplays WHERE item_in_session = 2"));
        // The identical pair is a duplicate; the pair that disagrees is a conflict, reported by the batch's check.
        foreach (var warehouse in new[] { bulk, rowByRow })
        {
            Assert.Equal(1L, await warehouse.ScalarAsync<long>(
                "SELECT failing_rows FROM quality_check_results WHERE check_name = 'songplays_conflicting_duplicates'"));
        }
    }
}
