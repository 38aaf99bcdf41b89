using System.IO.Compression;
using System.Text;
using Sparkify.Testing;

namespace Sparkify.Cli.Tests;

/// <summary>
/// `sparkify load` of a folder that mixes every kind of dirty input at once — as a new user's real export might — ends
/// with a summary and exit code 1 (never 3, never a stack trace), and loading it again changes nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DirtyFolderTests(PostgresFixture postgres)
{
    private const string Play =
        """{"artist":"Band","auth":"Logged In","firstName":"Ann","gender":"F","itemInSession":ITEM,"lastName":"Lee","length":200.5,"level":"free","location":"X","method":"PUT","page":"NextSong","registration":1540919166796.0,"sessionId":SESSION,"song":"SONG","status":200,"ts":TS,"userAgent":"UA","userId":"USER"}""";

    private static string Event(int user, int session, int item, string song = "Tune", string ts = "1541376000000") =>
        Play.Replace("ITEM", $"{item}").Replace("SESSION", $"{session}").Replace("SONG", song).Replace("TS", ts).Replace("USER", $"{user}");

    private static string Song(string id, string title) =>
        $$"""{"num_songs": 1, "artist_id": "AR{{id}}", "artist_latitude": null, "artist_longitude": null, "artist_location": "", "artist_name": "Band", "song_id": "SO{{id}}", "title": "{{title}}", "duration": 200.5, "year": 0}""";

    [Fact]
    public async Task Every_dirty_case_at_once_loads_what_can_be_loaded_reports_the_rest_and_a_second_load_changes_nothing()
    {
        using var folder = new TempFolder();
        var longTitle = new string([.. Enumerable.Range(0, 3000).Select(i => (char)('a' + (i * 7919 % 26)))]);
        folder.Write("song_data/A/A/A/TRLONG.json", Song("LONG", longTitle));
        folder.Write("song_data/A/A/B/TRID.json", Song(new string('X', 300), "Id too long") + "\n" + Song("OK1", "Fine"));
        folder.Write("song_data/A/A/C/TRDEEP.json", Song("DEEP", "Deep").Replace("{\"num_songs\"", "{\"x\":" + string.Concat(Enumerable.Repeat("[", 64)) + string.Concat(Enumerable.Repeat("]", 64)) + ",\"num_songs\"", StringComparison.Ordinal));
        folder.Write("song_data/A/A/D/TREMPTY.json", "");
        folder.Write("song_data/A/A/E/TRTRUNC.json", Song("TRUNC", "Cut")[..40]);
        var log = "log_data/2018/11/";
        folder.Write(log + "plain.json", "\uFEFF" + Event(1, 1, 1, song: longTitle) + "\r\n{broken\r\n" + Event(1, 1, 2, ts: "\"1541376001000.0\"") + "\r\n");
        folder.Write(log + "gzipped.json.gz", Gzip(Event(2, 1, 1) + "\n" + Event(2, 1, 2)));
        folder.Write(log + "utf16.json", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Event(3, 1, 1))]);
        folder.Write(log + "archive.json", Zip(Event(4, 1, 1)));
        folder.Write(log + "overlong.json", Event(5, 1, 1) + "\n{\"a\":\"" + new string('x', 5000) + "\"}\n" + Event(5, 1, 2));
        var real = Path.Combine(folder.Path, log, "plain.json");
        File.CreateSymbolicLink(Path.Combine(folder.Path, log, "alias.json"), real);
        File.CreateSymbolicLink(Path.Combine(folder.Path, log, "dangling.json"), Path.Combine(folder.Path, "missing.json"));
        Directory.CreateSymbolicLink(Path.Combine(folder.Path, log, "loop"), ".");
        folder.WriteWithRawName(log, [.. "bad"u8, 0xFF, .. ".json"u8], Event(6, 1, 1));
        var connection = await postgres.Server.CreateDatabaseAsync("dirty");

        var first = await Sparkify.RunAsync("load", folder.Path, "--connection", connection, "--max-record-bytes", "4096");

        Assert.True(first.ExitCode == ExitCodes.DataFailure, first.Output + first.Error);
        Assert.DoesNotContain("Unhandled", first.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", first.Output + first.Error, StringComparison.Ordinal);
        Assert.Contains("1 failed", first.Output, StringComparison.Ordinal);
        Assert.Contains("2 unreadable folder entries skipped", first.Output, StringComparison.Ordinal);
        Assert.Contains("a zip archive: not supported", first.Output + first.Error, StringComparison.Ordinal);
        var stats = (await Sparkify.RunAsync("stats", "--json", "--connection", connection)).Output;
        // Plays: the long title (matched), 2 of plain.json, 2 gzipped, 1 UTF-16, 2 around the overlong line.
        Assert.Contains("\"songplays\":7", stats, StringComparison.Ordinal);
        Assert.Contains("\"songs\":3", stats, StringComparison.Ordinal);

        var second = await Sparkify.RunAsync("load", folder.Path, "--connection", connection, "--max-record-bytes", "4096");

        Assert.Equal(ExitCodes.DataFailure, second.ExitCode);
        Assert.Contains(" 0 loaded", second.Output, StringComparison.Ordinal);
        Assert.Equal(stats, (await Sparkify.RunAsync("stats", "--json", "--connection", connection)).Output);
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }

    private static byte[] Zip(string text)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("events.json").Open();
            entry.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }
}
