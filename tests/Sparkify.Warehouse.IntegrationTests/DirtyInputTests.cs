using System.IO.Compression;
using System.Text;
using Sparkify.Testing;
using Sparkify.Warehouse.Parsing;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>Legal but unusual input, and damaged input: one record or one folder entry never stops the load.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DirtyInputTests(PostgresFixture postgres)
{
    private const string SongKey = "song_data/A/B/C/TRLONG.json";

    /// <summary>Text that compresses badly, so an index entry of it really is over a btree page's limit.</summary>
    private static string RandomText(int length, int seed)
    {
        var random = new Random(seed);
        return new string([.. Enumerable.Range(0, length).Select(_ => (char)random.Next('a', 'z' + 1))]);
    }

    [Fact]
    public async Task A_3000_character_title_is_staged_and_still_matched_and_its_neighbours_load()
    {
        var title = RandomText(3000, 1);
        var artist = RandomText(3000, 2);
        using var folder = new TempFolder();
        folder.Write(SongKey, InputFiles.Song("SOLONG", title, "ARLONG", artist, 200));
        folder.Write("song_data/A/B/C/TRSHORT.json", InputFiles.Song("SOSHORT", "Short", "ARSHORT", "Someone", 180));
        folder.Write(InputFiles.LogKey, string.Join("\n",
            InputFiles.Play(1, 1541376001000, song: title, artist: artist, length: 200, itemInSession: 1),
            InputFiles.Play(1, 1541376002000, song: "Short", artist: "Someone", length: 180, itemInSession: 2)));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal("completed", report.Status);
        Assert.Empty(await warehouse.LoadErrorsAsync());
        Assert.Equal(3000, await warehouse.ScalarAsync<int>("SELECT length(title) FROM songs WHERE song_id = 'SOLONG'"));
        Assert.Equal("SOLONG", await warehouse.ScalarAsync<string>("SELECT song_id FROM songplays WHERE item_in_session = 1"));
        Assert.Equal("SOSHORT", await warehouse.ScalarAsync<string>("SELECT song_id FROM songplays WHERE item_in_session = 2"));
    }

    [Fact]
    public async Task An_identifier_over_the_documented_limit_is_one_error_row_and_the_file_loads()
    {
        using var folder = new TempFolder();
        var longId = RandomText(SongRecordParser.MaxIdentifierLength + 1, 3);
        folder.Write(SongKey, InputFiles.Song(longId, "Title", "ARID", "Artist", 100) + "\n" + InputFiles.Song("SOOK", "Fine", "ARID", "Artist", 100));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal("completed", report.Status);
        var error = Assert.Single(await warehouse.LoadErrorsAsync());
        Assert.Equal("song_id", error.Column);
        Assert.Contains("at most 256", error.Reason, StringComparison.Ordinal);
        Assert.Equal(["SOOK"], (await warehouse.RowsAsync("SELECT song_id FROM songs")).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task A_song_with_a_deeply_nested_unknown_field_loads()
    {
        using var folder = new TempFolder();
        var deep = string.Concat(Enumerable.Repeat("{\"n\":", 40)) + "1" + new string('}', 40);
        folder.Write(SongKey, InputFiles.Song("SODEEP", "Deep", "ARDEEP", "Diver", 100).Replace("{\"num_songs\"", "{\"extra\": " + deep + ", \"num_songs\"", StringComparison.Ordinal));
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        Assert.Equal("completed", (await warehouse.LoadFolderAsync(folder.Path)).Status);
        Assert.Equal(1L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songs WHERE song_id = 'SODEEP'"));
    }

    public static TheoryData<string, string> Encodings => new()
    {
        { "gzip named .json", InputFiles.LogKey },
        { "gzip named .json.gz", InputFiles.LogKey + ".gz" },
        { "UTF-16LE with BOM", InputFiles.LogKey },
        { "UTF-16BE with BOM", InputFiles.LogKey },
        { "UTF-16LE without BOM", InputFiles.LogKey },
        { "UTF-32LE with BOM", InputFiles.LogKey },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Compressed_or_UTF16_files_load_like_plain_UTF8(string encoding, string key)
    {
        var text = string.Join("\n", InputFiles.Plays(3)) + "\n";
        byte[] content = encoding switch
        {
            "gzip named .json" or "gzip named .json.gz" => Gzip(Encoding.UTF8.GetBytes(text)),
            "UTF-16LE with BOM" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "UTF-16BE with BOM" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            "UTF-16LE without BOM" => Encoding.Unicode.GetBytes(text),
            "UTF-32LE with BOM" => [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(text)],
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
        using var folder = new TempFolder();
        folder.Write(key, content);
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal("completed", report.Status);
        Assert.Empty(await warehouse.LoadErrorsAsync());
        Assert.Equal(3L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays"));
    }

    [Fact]
    public async Task An_archive_named_json_fails_as_a_file_saying_what_it_is()
    {
        using var folder = new TempFolder();
        using (var zip = new MemoryStream())
        {
            using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            {
                await using var entry = archive.CreateEntry("events.json").Open();
                await entry.WriteAsync(Encoding.UTF8.GetBytes(InputFiles.Plays(1)[0]));
            }
            folder.Write(InputFiles.LogKey, zip.ToArray());
        }
        folder.Write("log_data/2018/11/2018-11-06-events.json", InputFiles.Plays(1)[0]);
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(folder.Path);

        var failed = Assert.Single(report.Files, f => f.Outcome == FileOutcome.Failed);
        Assert.Contains("a zip archive: not supported", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, report.FilesLoaded);
    }

    [Fact]
    public async Task Links_and_unreadable_names_list_every_real_file_once_and_report_the_rest()
    {
        using var folder = new TempFolder();
        var real = folder.Write(InputFiles.LogKey, InputFiles.Plays(1)[0]);
        var song = folder.Write(SongKey, InputFiles.Song("SO1", "T", "AR1", "A", 1));
        var logs = Path.GetDirectoryName(real)!;
        File.CreateSymbolicLink(Path.Combine(logs, "alias.json"), real);
        File.CreateSymbolicLink(Path.Combine(logs, "dangling.json"), Path.Combine(folder.Path, "nowhere.json"));
        File.CreateSymbolicLink(Path.Combine(logs, "self.json"), Path.Combine(logs, "self.json"));
        Directory.CreateSymbolicLink(Path.Combine(logs, "current"), ".");
        Directory.CreateSymbolicLink(Path.Combine(folder.Path, "log_data", "again"), Path.Combine(folder.Path, "log_data"));
        folder.WriteWithRawName(Path.GetRelativePath(folder.Path, logs), [.. "bad"u8, 0xFF, 0xFE, .. "-name.json"u8], InputFiles.Plays(1)[0]);

        var listing = await LocalSourceFiles.ListAsync(folder.Path);

        Assert.Equal([song, real], listing.Files.Select(f => f.Key));
        Assert.Equal(3, listing.Skipped.Count);
        Assert.Contains(listing.Skipped, s => s.Path.EndsWith("dangling.json", StringComparison.Ordinal) && s.Reason.Contains("dangling", StringComparison.Ordinal));
        Assert.Contains(listing.Skipped, s => s.Path.EndsWith("self.json", StringComparison.Ordinal) && s.Reason.Contains("cannot be followed", StringComparison.Ordinal));
        Assert.Contains(listing.Skipped, s => s.Reason.Contains("not valid UTF-8", StringComparison.Ordinal));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }
}
