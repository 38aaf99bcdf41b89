using Sparkify.Testing;
using Sparkify.Warehouse.Quality;

namespace Sparkify.Warehouse.IntegrationTests;

[Collection(PostgresCollection.Name)]
public sealed class StarSchemaTests(PostgresFixture postgres)
{
    private const long Nov5 = 1541376000000;

    private static async Task LoadAsync(TestWarehouse warehouse, params (string Key, string Content)[] files)
    {
        using var folder = new TempFolder();
        foreach (var (key, content) in files)
        {
            folder.Write(key, content);
        }
        var report = await warehouse.LoadFolderAsync(folder.Path);
        Assert.Equal("completed", report.Status);
    }

    [Fact]
    public async Task Of_several_matching_songs_the_closest_duration_wins_in_either_load_order()
    {
        var songs = new[]
        {
            ("song_data/A/A/A/TRAAA1.json", InputFiles.Song("SOSHORT", "Intro", "AR1", "Band", 100.0)),
            ("song_data/A/A/A/TRAAA2.json", InputFiles.Song("SOLONG", "Intro", "AR1", "Band", 200.0)),
            ("song_data/A/A/A/TRAAA3.json", InputFiles.Song("SOOTHER", "Intro", "AR2", "Other Band", 190.0)),
        };
        var log = (InputFiles.LogKey, InputFiles.Play(1, Nov5, song: "Intro", artist: "Band", length: 180.0));

        await using var together = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(together, [.. songs, log]);
        await using var logFirst = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(logFirst, log);
        await LoadAsync(logFirst, songs[1], songs[2]);
        await LoadAsync(logFirst, songs[0]);

        foreach (var warehouse in new[] { together, logFirst })
        {
            Assert.Equal("SOLONG", await warehouse.ScalarAsync<string>("SELECT song_id FROM songplays"));
            Assert.Equal("AR1", await warehouse.ScalarAsync<string>("SELECT artist_id FROM songplays"));
        }
    }

    [Fact]
    public async Task A_play_loaded_before_its_song_is_matched_when_the_song_arrives()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(warehouse, (InputFiles.LogKey, InputFiles.Play(1, Nov5, song: "Later", artist: "Band", length: 150.0)));
        Assert.True(await warehouse.ScalarAsync<bool>("SELECT song_id IS NULL FROM songplays"));

        await LoadAsync(warehouse, ("song_data/A/A/A/TRAAA1.json", InputFiles.Song("SOLATER", "Later", "AR1", "Band", 150.0)));

        Assert.Equal("SOLATER", await warehouse.ScalarAsync<string>("SELECT song_id FROM songplays"));
        Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task Older_events_loaded_later_do_not_overwrite_a_newer_level()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(warehouse, ("log_data/2018/11/2018-11-06-events.json", InputFiles.Play(7, Nov5 + 86_400_000, level: "paid", itemInSession: 2)));
        await LoadAsync(warehouse, (InputFiles.LogKey, InputFiles.Play(7, Nov5, level: "free", itemInSession: 1)));

        Assert.Equal("paid", await warehouse.ScalarAsync<string>("SELECT level FROM users WHERE user_id = 7"));

        await LoadAsync(warehouse, ("log_data/2018/11/2018-11-07-events.json", InputFiles.Play(7, Nov5 + 2 * 86_400_000, level: "free", itemInSession: 3)));

        Assert.Equal("free", await warehouse.ScalarAsync<string>("SELECT level FROM users WHERE user_id = 7"));
    }

    [Fact]
    public async Task Plays_at_the_same_moment_in_one_session_stay_distinct_plays()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(warehouse, (InputFiles.LogKey, string.Join("\n",
            InputFiles.Play(1, Nov5, song: "A", itemInSession: 0),
            InputFiles.Play(1, Nov5, song: "B", itemInSession: 1),
            InputFiles.Play(1, Nov5, song: "C", itemInSession: 2))));

        Assert.Equal(3L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM time"));
    }

    [Fact]
    public async Task An_artist_seen_with_several_names_gets_the_same_row_in_any_order()
    {
        var bare = ("song_data/A/A/A/TRAAA1.json", InputFiles.Song("SO1", "One", "AR1", "The Band", 100.0));
        var located = ("song_data/A/A/B/TRAAB1.json", InputFiles.Song("SO2", "Two", "AR1", "Band, The", 100.0, location: "Oslo", latitude: "59.9"));

        await using var first = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(first, bare);
        await LoadAsync(first, located);
        await using var second = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(second, located);
        await LoadAsync(second, bare);

        foreach (var warehouse in new[] { first, second })
        {
            var artist = Assert.Single(await warehouse.RowsAsync("SELECT name, location, latitude FROM artists"));
            Assert.Equal(["Band, The", "Oslo", 59.9], artist);
        }
    }

    [Fact]
    public async Task A_file_whose_content_changed_replaces_its_old_rows()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var folder = new TempFolder();
        folder.Write(InputFiles.LogKey, string.Join("\n", InputFiles.Plays(3)));
        await warehouse.LoadFolderAsync(folder.Path);

        folder.Write(InputFiles.LogKey, string.Join("\n", InputFiles.Plays(5)));
        await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal([1, 2, 3, 4, 5], await warehouse.StagedLinesAsync("staging_events", InputFiles.LogKey));
        Assert.Equal(["superseded", "loaded"],
            (await warehouse.RowsAsync("SELECT status FROM load_files ORDER BY file_id")).Select(r => (string)r[0]!));
        Assert.Equal(5L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task Quality_checks_name_what_breaks()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(warehouse, (InputFiles.LogKey, string.Join("\n", InputFiles.Plays(3))));
        var checks = new QualityChecks(warehouse.DataSource);
        Assert.All(await checks.RunAsync(null), r => Assert.True(r.Passed, r.Name));

        await warehouse.ScalarAsync<object>("DELETE FROM users RETURNING NULL");
        await warehouse.ScalarAsync<object>("DELETE FROM time WHERE start_time = (SELECT min(start_time) FROM time) RETURNING NULL");

        var failed = (await checks.RunAsync(null)).Where(r => !r.Passed).ToDictionary(r => r.Name, r => r.FailingRows);
        Assert.Equal(new Dictionary<string, long> { ["songplays_user_in_users"] = 3, ["songplays_start_time_in_time"] = 1 }, failed);
        Assert.Equal(2L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM quality_check_results WHERE NOT passed"));
    }

    [Fact]
    public async Task An_empty_fact_table_with_staged_plays_fails_its_check()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await LoadAsync(warehouse, (InputFiles.LogKey, string.Join("\n", InputFiles.Plays(2))));
        await warehouse.ScalarAsync<object>("DELETE FROM songplays RETURNING NULL");

        var results = await new QualityChecks(warehouse.DataSource).RunAsync(null);

        Assert.False(Assert.Single(results, r => r.Name == "songplays_not_empty").Passed);
    }
}
