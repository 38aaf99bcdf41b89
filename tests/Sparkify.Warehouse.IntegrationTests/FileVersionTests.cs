using System.Globalization;
using System.Text;
using Sparkify.Testing;
using Sparkify.Warehouse.Quality;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// One loaded version per file key, the newest; a corrected version replaces what the old one put in the star
/// schema; duplicates of one play resolve the same whatever the load order; <c>time</c> follows the plays.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FileVersionTests(PostgresFixture postgres)
{
    private const long Nov5 = 1541376000000;
    private static readonly DateTime Earlier = new(2018, 11, 5, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Later = new(2018, 11, 6, 0, 0, 0, DateTimeKind.Utc);

    private static string Lines(params string[] lines) => string.Join("\n", lines);

    private static void Write(TempFolder folder, string content, DateTime modified)
    {
        var path = folder.Write(InputFiles.LogKey, content);
        File.SetLastWriteTimeUtc(path, modified);
    }

    [Fact]
    public async Task A_corrected_version_replaces_its_plays_users_and_time_rows()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var folder = new TempFolder();
        Write(folder, Lines(
            InputFiles.Play(1, Nov5 + 1000, itemInSession: 1), InputFiles.Play(1, Nov5 + 2000, itemInSession: 2),
            InputFiles.Play(1, Nov5 + 3000, itemInSession: 3), InputFiles.Play(2, Nov5 + 4000, sessionId: 7, itemInSession: 1)), Earlier);
        Assert.Equal("completed", (await warehouse.LoadFolderAsync(folder.Path)).Status);
        Assert.Equal(4L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));

        Write(folder, Lines(InputFiles.Play(1, Nov5 + 1000, itemInSession: 1), InputFiles.Play(1, Nov5 + 2500, level: "paid", itemInSession: 2)), Later);
        var report = await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal("completed", report.Status);
        Assert.Equal([[1, "free"], [2, "paid"]], await warehouse.RowsAsync("SELECT item_in_session, level FROM songplays ORDER BY 1"));
        Assert.Equal([[1L, "paid"]], await warehouse.RowsAsync("SELECT user_id, level FROM users"));
        Assert.Equal(2L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM time"));
        Assert.Equal(2L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        Assert.All(await new QualityChecks(warehouse.DataSource).RunAsync(null), r => Assert.True(r.Passed, r.Name));
    }

    [Fact]
    public async Task An_older_version_loaded_after_a_newer_one_is_recorded_superseded_and_changes_nothing()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var folder = new TempFolder();
        Write(folder, Lines(InputFiles.Plays(3)), Later);
        await warehouse.LoadFolderAsync(folder.Path);
        var before = await warehouse.StarDigestsAsync();

        Write(folder, Lines(InputFiles.Plays(1)), Earlier);
        var report = await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal(FileOutcome.Superseded, Assert.Single(report.Files).Outcome);
        Assert.Equal(before, await warehouse.StarDigestsAsync());
        Assert.Equal(3L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM load_files WHERE status = 'loaded'"));
    }

    [Fact]
    public async Task Of_two_versions_staged_together_the_newer_is_loaded()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        SourceFile Version(string content, string etag, DateTime modified) =>
            new("s3://bucket/" + InputFiles.LogKey, etag, content.Length, FileKind.Event,
                _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(content)))) { LastModified = modified };

        var report = await new WarehouseLoader(warehouse.DataSource, new LoadOptions()).LoadAsync("versions",
            [Version(Lines(InputFiles.Plays(3)), "bbbb", Later), Version(Lines(InputFiles.Plays(1)), "aaaa", Earlier)]);

        Assert.Equal("completed", report.Status);
        Assert.Equal([("bbbb", "loaded"), ("aaaa", "superseded")],
            (await warehouse.RowsAsync("SELECT etag, status FROM load_files ORDER BY status")).Select(r => ((string)r[0]!, (string)r[1]!)));
        Assert.Equal(3L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task Conflicting_duplicates_give_the_same_play_in_any_order_and_are_reported()
    {
        var early = ("log_data/2018/11/2018-11-05-a.json", InputFiles.Play(1, Nov5 + 1000, level: "free", itemInSession: 1));
        var late = ("log_data/2018/11/2018-11-05-b.json", InputFiles.Play(1, Nov5 + 5000, level: "paid", itemInSession: 1));
        var digests = new List<Dictionary<string, string>>();
        foreach (var order in new[] { new[] { early, late }, [late, early] })
        {
            await using var warehouse = await TestWarehouse.CreateAsync(postgres);
            BatchReport? last = null;
            foreach (var (key, content) in order)
            {
                using var folder = new TempFolder();
                folder.Write(key, content);
                last = await warehouse.LoadFolderAsync(folder.Path);
            }
            Assert.Equal([[new DateTime(2018, 11, 5, 0, 0, 5, DateTimeKind.Utc), "paid"]],
                await warehouse.RowsAsync("SELECT start_time, level FROM songplays"));
            Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM time"));
            var conflict = Assert.Single(last!.Checks, c => c.Name == "songplays_conflicting_duplicates");
            Assert.Equal(1, conflict.FailingRows);
            digests.Add(await warehouse.StarDigestsAsync());
        }
        Assert.Equal(digests[0], digests[1]);
    }

    [Fact]
    public async Task A_dropped_duplicate_adds_no_time_row()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var folder = new TempFolder();
        folder.Write(InputFiles.LogKey, Lines(InputFiles.Play(1, Nov5 + 1000, itemInSession: 1), InputFiles.Play(1, Nov5 + 9000, itemInSession: 1)));

        await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM time"));
        Assert.True(await warehouse.ScalarAsync<bool>("SELECT (SELECT start_time FROM time) = (SELECT start_time FROM songplays)"));
    }

    [Fact]
    public async Task Time_parts_are_utc_iso_weeks_and_monday_first_across_year_and_week_boundaries_whatever_the_session_time_zone()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        // A server whose sessions default to another time zone: the parts must still be UTC's.
        await warehouse.ScalarAsync<object?>("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), 'America/New_York'); END $$");
        warehouse.DataSource.Clear();
        Assert.Equal("America/New_York", await warehouse.ScalarAsync<string>("SHOW timezone"));
        (long Ts, int Hour, int Day, int Week, int Month, int Year, int Weekday)[] moments =
        [
            (1546300799000, 23, 31, 1, 12, 2018, 0), // 2018-12-31 23:59:59 UTC: a Monday, ISO week 1 of 2019
            (1609631999000, 23, 2, 53, 1, 2021, 5),  // 2021-01-02 23:59:59: a Saturday, ISO week 53 of 2020
            (1609632000000, 0, 3, 53, 1, 2021, 6),   // 2021-01-03 00:00:00: a Sunday, still week 53
            (1541376000000, 0, 5, 45, 11, 2018, 0),  // 2018-11-05 00:00:00: a Monday (the day before in New York)
            (1583020800000, 0, 1, 9, 3, 2020, 6),    // 2020-03-01 00:00:00: a Sunday after a leap day
            (1542837407796, 21, 21, 47, 11, 2018, 2), // the sample's matched play: a Wednesday evening
        ];
        using var folder = new TempFolder();
        folder.Write(InputFiles.LogKey, Lines([.. moments.Select((m, i) => InputFiles.Play(1, m.Ts, itemInSession: i))]));

        await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal(
            moments.Select(m => (DateTime.UnixEpoch.AddMilliseconds(m.Ts), m.Hour, m.Day, m.Week, m.Month, m.Year, m.Weekday)).Order(),
            (await warehouse.RowsAsync("SELECT start_time, hour, day, week, month, year, weekday FROM time ORDER BY 1"))
                .Select(r => (((DateTime)r[0]!).ToUniversalTime(), Convert.ToInt32(r[1], CultureInfo.InvariantCulture), Convert.ToInt32(r[2], CultureInfo.InvariantCulture),
                    Convert.ToInt32(r[3], CultureInfo.InvariantCulture), Convert.ToInt32(r[4], CultureInfo.InvariantCulture),
                    Convert.ToInt32(r[5], CultureInfo.InvariantCulture), Convert.ToInt32(r[6], CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task A_batch_is_checked_on_what_its_star_load_consumed_not_on_files_staged_since()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var first = new TempFolder();
        first.Write(InputFiles.LogKey, Lines(InputFiles.Plays(2)));
        var batch = await warehouse.LoadFolderAsync(first.Path);

        // Another batch's file is staged, its star load not yet run (as when batches overlap in watch mode).
        using var second = new TempFolder();
        second.Write("log_data/2018/11/2018-11-07-events.json", InputFiles.Play(5, Nov5 + 86_400_000, itemInSession: 1));
        var nextBatch = await new Bookkeeping.BatchStore(warehouse.DataSource).OpenAsync("overlapping");
        await new StagingLoader(warehouse.DataSource, new LoadOptions()).LoadAsync(nextBatch, await LocalSourceFiles.FindAsync(second.Path));

        var results = await new QualityChecks(warehouse.DataSource).RunAsync(batch.BatchId);

        Assert.All(results, r => Assert.True(r.Passed, r.Name));
        // The other batch is still in flight: the whole warehouse is consistent with what its star loads took in.
        Assert.All(await new QualityChecks(warehouse.DataSource).RunAsync(null), r => Assert.True(r.Passed, r.Name));
        // Had that batch ended without its star load, its staged file would be missing from the star schema.
        await warehouse.ScalarAsync<object>("UPDATE batches SET status = 'completed' WHERE batch_id = $1 RETURNING NULL", nextBatch);
        var failed = Assert.Single(await new QualityChecks(warehouse.DataSource).RunAsync(null), r => !r.Passed);
        Assert.Equal(("staged_files_of_ended_batches_in_star", 1L), (failed.Name, failed.FailingRows));
    }
}
