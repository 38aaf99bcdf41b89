using System.Text;
using Sparkify.Testing;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>Each bad input becomes a load-errors row naming file, line and reason, and the good rows around it still load.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BadInputTests(PostgresFixture postgres)
{
    private const string Key = InputFiles.LogKey;

    private async Task<(TestWarehouse Warehouse, BatchReport Report)> LoadLogAsync(byte[] content, LoadOptions? options = null)
    {
        using var folder = new TempFolder();
        folder.Write(Key, content);
        var warehouse = await TestWarehouse.CreateAsync(postgres);
        return (warehouse, await warehouse.LoadFolderAsync(folder.Path, options));
    }

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\n", lines));

    private static async Task AssertOneErrorAsync(TestWarehouse warehouse, long line, string? column, string reason)
    {
        var error = Assert.Single(await warehouse.LoadErrorsAsync());
        Assert.EndsWith("/" + Key, error.File, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_events_within_a_file_and_across_files_make_one_play()
    {
        var plays = InputFiles.Plays(2);
        using var folder = new TempFolder();
        folder.Write(Key, Lines(plays[0], plays[0], plays[1]));
        folder.Write("log_data/2018/11/2018-11-06-events.json", Lines(plays[1]));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path);

        // Staging keeps the raw rows as delivered; the fact table has each play once.
        Assert.Equal("completed", report.Status);
        Assert.Equal(4L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events"));
        Assert.Equal(2L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
        Assert.Empty(await warehouse.LoadErrorsAsync());
    }

    [Fact]
    public async Task A_malformed_line_is_rejected_and_its_neighbours_load()
    {
        var plays = InputFiles.Plays(3);
        var (warehouse, report) = await LoadLogAsync(Lines(plays[0], plays[1][..40], plays[2]));
        await using var _ = warehouse;

        await AssertOneErrorAsync(warehouse, 2, null, "malformed JSON");
        Assert.Equal([1, 3], await warehouse.StagedLinesAsync("staging_events", Key));
        Assert.Equal(1, report.RowsRejected);
        Assert.Equal(2L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_rejected_naming_the_column()
    {
        var plays = InputFiles.Plays(3);
        var (warehouse, _) = await LoadLogAsync(Lines(plays[0], plays[1].Replace("\"sessionId\":100", "\"sessionId\":{\"x\":1}", StringComparison.Ordinal), plays[2]));
        await using var _ = warehouse;

        await AssertOneErrorAsync(warehouse, 2, "sessionId", "expected a whole number, found an object");
        Assert.Equal([1, 3], await warehouse.StagedLinesAsync("staging_events", Key));
    }

    [Theory]
    [InlineData("\"ts\":1541376002000,", "ts")]
    [InlineData("\"page\":\"NextSong\",", "page")]
    public async Task A_missing_required_field_is_rejected(string removed, string column)
    {
        var plays = InputFiles.Plays(3);
        var (warehouse, _) = await LoadLogAsync(Lines(plays[0], plays[1].Replace(removed, "", StringComparison.Ordinal), plays[2]));
        await using var _ = warehouse;

        await AssertOneErrorAsync(warehouse, 2, column, "missing");
        Assert.Equal([1, 3], await warehouse.StagedLinesAsync("staging_events", Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\r\n\t ")]
    public async Task An_empty_or_blank_file_is_one_error_row_and_the_next_file_loads(string content)
    {
        using var folder = new TempFolder();
        folder.Write(Key, content);
        folder.Write("log_data/2018/11/2018-11-06-events.json", string.Join("\n", InputFiles.Plays(2)));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path);

        await AssertOneErrorAsync(warehouse, 0, null, "no records");
        Assert.All(report.Files, f => Assert.Equal(FileOutcome.Loaded, f.Outcome));
        Assert.Empty(await warehouse.StagedLinesAsync("staging_events", Key));
        Assert.Equal([1, 2], await warehouse.StagedLinesAsync("staging_events", "log_data/2018/11/2018-11-06-events.json"));
    }

    [Fact]
    public async Task A_garbage_song_file_is_an_error_and_other_songs_load()
    {
        using var folder = new TempFolder();
        var garbage = new byte[2048];
        new Random(3).NextBytes(garbage);
        folder.Write("song_data/A/A/A/TRAAAGARBAGE.json", garbage);
        folder.Write("song_data/A/A/B/TRAABINVALID.json", [.. Encoding.UTF8.GetBytes(InputFiles.Song("SO9", "Bad @", "AR9", "X", 1.0)).Select(b => b == (byte)'@' ? (byte)0xC0 : b)]);
        folder.Write("song_data/A/A/C/TRAACGOOD.json", InputFiles.Song("SO2", "Two", "AR2", "Other", 120.0));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        await warehouse.LoadFolderAsync(folder.Path);

        var errors = await warehouse.LoadErrorsAsync();
        Assert.Equal(2, errors.Count);
        Assert.Contains("malformed JSON", errors.Single(e => e.File.EndsWith("TRAAAGARBAGE.json", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
        Assert.Contains("UTF-8", errors.Single(e => e.File.EndsWith("TRAABINVALID.json", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
        Assert.Equal("SO2", await warehouse.ScalarAsync<string>("SELECT song_id FROM songs"));
    }

    [Fact]
    public async Task A_failed_file_loaded_again_keeps_only_its_latest_error_rows()
    {
        using var folder = new TempFolder();
        folder.Write(Key, "{bad\n{bad");
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        var strict = new LoadOptions { MaxErrorsPerFile = 0 };

        await warehouse.LoadFolderAsync(folder.Path, strict);
        await warehouse.LoadFolderAsync(folder.Path, strict);
        Assert.Single(await warehouse.LoadErrorsAsync());

        var lenient = await warehouse.LoadFolderAsync(folder.Path, new LoadOptions { MaxErrorsPerFile = 5 });

        Assert.Equal(FileOutcome.Loaded, Assert.Single(lenient.Files).Outcome);
        Assert.Equal([1L, 2L], (await warehouse.LoadErrorsAsync()).Select(e => e.Line));
    }

    [Fact]
    public async Task Invalid_utf8_is_rejected_and_its_neighbours_load()
    {
        var plays = InputFiles.Plays(3);
        var broken = Encoding.UTF8.GetBytes(plays[1].Replace("Some Song", "Some @ong", StringComparison.Ordinal));
        broken[Array.IndexOf(broken, (byte)'@')] = 0xFF;
        var (warehouse, _) = await LoadLogAsync([.. Lines(plays[0]), (byte)'\n', .. broken, (byte)'\n', .. Lines(plays[2])]);
        await using var _ = warehouse;

        await AssertOneErrorAsync(warehouse, 2, null, "UTF-8");
        Assert.Equal([1, 3], await warehouse.StagedLinesAsync("staging_events", Key));
    }

    [Fact]
    public async Task Binary_garbage_is_rejected_without_a_crash()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage.AsSpan().Replace((byte)'\n', (byte)0);
        var plays = InputFiles.Plays(2);
        var (warehouse, _) = await LoadLogAsync([.. Lines(plays[0]), (byte)'\n', .. garbage, (byte)'\n', .. Lines(plays[1])]);
        await using var _ = warehouse;

        await AssertOneErrorAsync(warehouse, 2, null, "malformed JSON");
        Assert.Equal([1, 3], await warehouse.StagedLinesAsync("staging_events", Key));
    }

    [Fact]
    public async Task A_50_MB_single_line_is_rejected_without_buffering_it()
    {
        var plays = InputFiles.Plays(2);
        using var folder = new TempFolder();
        folder.Write(Key, Lines(plays[0], "{\"artist\":\"" + new string('x', 50 * 1024 * 1024) + "\"}", plays[1]));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        // Measured: what the whole load allocates (tests of this assembly run one at a time). Holding the line would
        // take 50 MB at least; reading it through the 4 MiB record window took 16 MB, whatever the length of the line.
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await warehouse.LoadFolderAsync(folder.Path);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(allocated < 32 * 1024 * 1024, $"loading the file allocated {allocated / 1024 / 1024} MB");
        await AssertOneErrorAsync(warehouse, 2, null, "longer than the 4,194,304-byte record limit");
        Assert.Equal([1, 3], await warehouse.StagedLinesAsync("staging_events", Key));
        var raw = await warehouse.ScalarAsync<string>("SELECT raw_text FROM load_errors");
        Assert.Equal(1024, raw.Length);
    }

    [Fact]
    public async Task A_json_array_instead_of_an_object_is_rejected()
    {
        var plays = InputFiles.Plays(2);
        var (warehouse, _) = await LoadLogAsync(Lines(plays[0], "[" + plays[1] + "]"));
        await using var _ = warehouse;

        await AssertOneErrorAsync(warehouse, 2, null, "expected a JSON object, found an array");
        Assert.Equal([1], await warehouse.StagedLinesAsync("staging_events", Key));
    }

    [Fact]
    public async Task A_bom_and_crlf_line_ends_load_cleanly()
    {
        var plays = InputFiles.Plays(3);
        var (warehouse, _) = await LoadLogAsync([.. "\uFEFF"u8.ToArray(), .. Encoding.UTF8.GetBytes(string.Join("\r\n", plays) + "\r\n")]);
        await using var _ = warehouse;

        Assert.Empty(await warehouse.LoadErrorsAsync());
        Assert.Equal([1, 2, 3], await warehouse.StagedLinesAsync("staging_events", Key));
    }

    [Fact]
    public async Task Past_the_error_limit_the_file_fails_whole_and_the_other_files_load()
    {
        using var folder = new TempFolder();
        var plays = InputFiles.Plays(6);
        folder.Write(Key, string.Join("\n", plays[0], "{bad", plays[1], "{bad", plays[2], "{bad"));
        folder.Write("log_data/2018/11/2018-11-06-events.json", string.Join("\n", plays[3], plays[4]));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path, new LoadOptions { MaxErrorsPerFile = 2 });

        var failed = Assert.Single(report.Files, f => f.Outcome == FileOutcome.Failed);
        Assert.EndsWith("/" + Key, failed.Key, StringComparison.Ordinal);
        Assert.Contains("more than 2 rejected records", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal("completed_with_failures", report.Status);
        Assert.Empty(await warehouse.StagedLinesAsync("staging_events", Key));
        Assert.Equal([2, 4, 6], (await warehouse.LoadErrorsAsync()).Select(e => e.Line));
        Assert.Equal("failed", await warehouse.ScalarAsync<string>("SELECT status FROM load_files WHERE file_key = $1", failed.Key));
        Assert.Equal([1, 2], await warehouse.StagedLinesAsync("staging_events", "log_data/2018/11/2018-11-06-events.json"));
    }

    [Fact]
    public async Task Song_files_may_hold_several_pretty_printed_objects()
    {
        using var folder = new TempFolder();
        folder.Write("song_data/A/A/A/TRAAAMULTI.json",
            InputFiles.Song("SO1", "One", "AR1", "Artist", 100.0) + "\n" +
            InputFiles.Song("SO2", "Two", "AR1", "Artist", 120.0).Replace(", ", ",\n    ", StringComparison.Ordinal));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        await warehouse.LoadFolderAsync(folder.Path);

        Assert.Empty(await warehouse.LoadErrorsAsync());
        Assert.Equal([1, 2], await warehouse.StagedLinesAsync("staging_songs", "song_data/A/A/A/TRAAAMULTI.json"));
        Assert.Equal(2L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songs"));
    }

    [Fact]
    public async Task A_truncated_song_file_is_rejected_and_other_songs_load()
    {
        using var folder = new TempFolder();
        folder.Write("song_data/A/A/A/TRAAATRUNC.json", InputFiles.Song("SO1", "One", "AR1", "Artist", 100.0)[..60]);
        folder.Write("song_data/A/A/B/TRAABGOOD.json", InputFiles.Song("SO2", "Two", "AR2", "Other", 120.0));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        await warehouse.LoadFolderAsync(folder.Path);

        var error = Assert.Single(await warehouse.LoadErrorsAsync());
        Assert.Equal((Path.Combine(folder.Path, "song_data/A/A/A/TRAAATRUNC.json"), 1L), (error.File, error.Line));
        Assert.Contains("truncated", error.Reason, StringComparison.Ordinal);
        Assert.Equal("SO2", await warehouse.ScalarAsync<string>("SELECT song_id FROM songs"));
    }

    [Fact]
    public async Task A_hostile_key_name_is_stored_as_data()
    {
        using var folder = new TempFolder();
        const string key = "song_data/A/B/C/it's a \"test\" ü; DROP TABLE songs;--.json";
        folder.Write(key, InputFiles.Song("SO1", "One", "AR1", "Artist", 100.0));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal(Path.Combine(folder.Path, key), Assert.Single(report.Files).Key);
        Assert.Equal(Path.Combine(folder.Path, key), await warehouse.ScalarAsync<string>("SELECT file_key FROM load_files"));
        Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songs"));
    }
}
