using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sparkify.DevTools.DemoData;
using Sparkify.Warehouse.Parsing;
using Xunit;

namespace Sparkify.Cli.Tests;

public sealed partial class GeneratorTests
{
    private static readonly GeneratorOptions Small = new(Songs: 400, Events: 12_000, Days: 7, Users: 50, Seed: 7);

    private static readonly string[] SongKeys =
    [
        "num_songs", "artist_id", "artist_latitude", "artist_longitude", "artist_location", "artist_name", "song_id",
        "title", "duration", "year",
    ];

    private static readonly string[] EventKeys =
    [
        "artist", "auth", "firstName", "gender", "itemInSession", "lastName", "length", "level", "location", "method",
        "page", "registration", "sessionId", "song", "status", "ts", "userAgent", "userId",
    ];

    private static readonly string[] ProfileFields = ["firstName", "lastName", "gender", "location", "registration", "userAgent"];

    private static readonly string[] LoggedOutPages = ["Home", "Login", "About", "Help"];

    private static readonly string[] Levels = ["free", "paid"];

    [GeneratedRegex(@"^song_data/([A-Z])/([A-Z])/([A-Z])/TR\1\2\3[A-Z0-9]{13}\.json$")]
    private static partial Regex SongPath();

    [GeneratedRegex(@"^log_data/(\d{4})/(\d{2})/(\1-\2-\d{2})-events\.json$")]
    private static partial Regex LogPath();

    [GeneratedRegex(@"^(AR|SO)[A-Z0-9]{16}$")]
    private static partial Regex ArtistOrSongId();

    [GeneratedRegex(@"\\u(?![0-9a-f]{4})")]
    private static partial Regex MalformedUnicodeEscape();

    [GeneratedRegex(@"(?<!\\)/")]
    private static partial Regex UnescapedSlash();

    [Fact]
    public async Task The_same_seed_writes_identical_bytes_and_another_seed_does_not()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        using var other = new TempFolder();

        await DemoDataGenerator.WriteAsync(first.Path, Small);
        await DemoDataGenerator.WriteAsync(second.Path, Small);
        await DemoDataGenerator.WriteAsync(other.Path, Small with { Seed = 8 });

        Assert.Equal(HashAll(first.Path), HashAll(second.Path));
        Assert.NotEqual(HashAll(first.Path), HashAll(other.Path));
    }

    [Fact]
    public async Task Files_follow_the_real_layout_and_the_summary_counts_them()
    {
        using var folder = new TempFolder();
        var options = Small with { StartDate = new DateOnly(2018, 11, 28) };

        var summary = await DemoDataGenerator.WriteAsync(folder.Path, options);

        var files = RelativeFiles(folder.Path);
        var songFiles = files.Where(file => file.StartsWith("song_data/", StringComparison.Ordinal)).ToList();
        var logFiles = files.Where(file => file.StartsWith("log_data/", StringComparison.Ordinal)).ToList();
        Assert.Equal(files.Count, songFiles.Count + logFiles.Count);
        Assert.All(songFiles, file => Assert.Matches(SongPath(), file));
        Assert.Equal(options.Songs, songFiles.Count);
        var expectedLogs = Enumerable.Range(0, options.Days)
            .Select(day => options.StartDate!.Value.AddDays(day))
            .Select(day => $"log_data/{day:yyyy}/{day:MM}/{day:yyyy-MM-dd}-events.json")
            .Order(StringComparer.Ordinal);
        Assert.Equal(expectedLogs, logFiles.Order(StringComparer.Ordinal));
        Assert.All(logFiles, file => Assert.Matches(LogPath(), file));

        Assert.Equal(options.Songs, summary.SongFiles);
        Assert.Equal(options.Days, summary.LogFiles);
        Assert.Equal(options.Events, summary.Events);
        var events = ReadEvents(folder.Path);
        Assert.Equal(options.Events, events.Count);
        Assert.Equal(events.Count(e => Page(e) == "NextSong"), summary.NextSongEvents);
        Assert.Equal(files.Sum(file => new FileInfo(Path.Combine(folder.Path, file)).Length), summary.Bytes);
    }

    [Fact]
    public async Task Days_generated_after_a_history_use_session_ids_of_their_own()
    {
        using var history = new TempFolder();
        using var nextDay = new TempFolder();
        await DemoDataGenerator.WriteAsync(history.Path, Small);
        await DemoDataGenerator.WriteAsync(nextDay.Path, Small with { Days = 1, Events = 2_000, StartDate = new DateOnly(2018, 11, 1).AddDays(Small.Days) });

        var historySessions = ReadEvents(history.Path).Select(SessionId).ToHashSet();
        var nextDaySessions = ReadEvents(nextDay.Path).Select(SessionId).ToHashSet();

        Assert.Contains(1, historySessions);
        Assert.NotEmpty(nextDaySessions);
        Assert.Empty(historySessions.Intersect(nextDaySessions));
    }

    [Fact]
    public async Task Song_files_are_one_ascii_line_with_the_real_keys_separators_and_quirks()
    {
        using var folder = new TempFolder();
        await DemoDataGenerator.WriteAsync(folder.Path, Small with { Songs = 1_000, Events = 0 });

        var songs = new List<JsonElement>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(folder.Path, "song_data"), "*.json", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(path);
            AssertPrintableAscii(bytes, path);
            var text = Encoding.ASCII.GetString(bytes);
            Assert.StartsWith("{\"num_songs\": 1, \"artist_id\": \"AR", text, StringComparison.Ordinal);
            Assert.EndsWith("}", text, StringComparison.Ordinal);
            Assert.DoesNotContain(",\"", text, StringComparison.Ordinal);
            Assert.DoesNotMatch(MalformedUnicodeEscape(), text);

            var song = JsonDocument.Parse(bytes).RootElement.Clone();
            Assert.Equal(SongKeys, song.EnumerateObject().Select(property => property.Name));
            Assert.Matches(ArtistOrSongId(), song.GetProperty("artist_id").GetString());
            Assert.Matches(ArtistOrSongId(), song.GetProperty("song_id").GetString());
            Assert.InRange(song.GetProperty("duration").GetDouble(), 30, 600);
            Assert.Equal(song.GetProperty("artist_latitude").ValueKind, song.GetProperty("artist_longitude").ValueKind);
            Assert.Equal(JsonValueKind.String, song.GetProperty("artist_location").ValueKind);
            var year = song.GetProperty("year").GetInt32();
            Assert.True(year == 0 || year is >= 1960 and <= 2010, $"year {year}");
            Assert.True(SongRecordParser.TryParse(bytes, out _, out var error), $"{path}: {error}");
            songs.Add(song);
        }

        Assert.Equal(songs.Count, songs.Select(song => song.GetProperty("song_id").GetString()).Distinct().Count());
        var artists = songs.GroupBy(song => song.GetProperty("artist_id").GetString()).Select(group => group.First()).ToList();
        Assert.InRange(artists.Count, songs.Count * 0.9, songs.Count - 1);
        Assert.InRange(Share(artists, a => a.GetProperty("artist_latitude").ValueKind == JsonValueKind.Null), 0.45, 0.65);
        Assert.InRange(Share(artists, a => a.GetProperty("artist_location").GetString() == ""), 0.30, 0.50);
        Assert.InRange(Share(songs, song => song.GetProperty("year").GetInt32() == 0), 0.50, 0.70);
        Assert.Contains(songs, song => song.GetProperty("title").GetString()!.Any(c => c > '~'));
        Assert.Contains(songs, song => song.GetProperty("title").GetString()!.Contains('\'', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_files_are_sorted_ndjson_of_one_utc_day_in_the_real_shape()
    {
        using var folder = new TempFolder();
        await DemoDataGenerator.WriteAsync(folder.Path, Small);

        foreach (var path in Directory.EnumerateFiles(Path.Combine(folder.Path, "log_data"), "*.json", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(path);
            Assert.NotEmpty(bytes);
            Assert.NotEqual((byte)'\n', bytes[^1]);
            AssertPrintableAscii(bytes.Where(b => b != '\n').ToArray(), path);
            var fileDate = DateOnly.ParseExact(Path.GetFileName(path)[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            long previousTs = 0;
            foreach (var line in Encoding.ASCII.GetString(bytes).Split('\n'))
            {
                Assert.DoesNotContain(": ", line, StringComparison.Ordinal);
                var e = JsonDocument.Parse(line).RootElement;
                Assert.Equal(EventKeys, e.EnumerateObject().Select(property => property.Name));
                var ts = e.GetProperty("ts").GetInt64();
                Assert.True(ts >= previousTs, $"{path}: ts {ts} after {previousTs}");
                previousTs = ts;
                Assert.Equal(fileDate, DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ts).UtcDateTime));
                Assert.Equal(JsonValueKind.String, e.GetProperty("userId").ValueKind);
                Assert.Contains(e.GetProperty("level").GetString(), Levels);
                Assert.True(EventRecordParser.TryParse(Encoding.ASCII.GetBytes(line), out _, out var error), $"{path}: {error}");
            }
        }
    }

    [Fact]
    public async Task Logged_out_events_have_an_empty_user_id_and_no_profile()
    {
        using var folder = new TempFolder();
        await DemoDataGenerator.WriteAsync(folder.Path, Small);
        var events = ReadEvents(folder.Path);

        var loggedOut = events.Where(e => e.GetProperty("auth").GetString() == "Logged Out").ToList();
        Assert.InRange((double)loggedOut.Count / events.Count, 0.015, 0.06);
        Assert.All(loggedOut, e =>
        {
            Assert.Equal("", e.GetProperty("userId").GetString());
            Assert.Contains(Page(e), LoggedOutPages);
            Assert.All(ProfileFields, field => Assert.Equal(JsonValueKind.Null, e.GetProperty(field).ValueKind));
        });
        Assert.All(events.Except(loggedOut), e =>
        {
            Assert.Equal("Logged In", e.GetProperty("auth").GetString());
            Assert.NotEqual("", e.GetProperty("userId").GetString());
            Assert.All(ProfileFields, field => Assert.NotEqual(JsonValueKind.Null, e.GetProperty(field).ValueKind));
        });
    }

    [Fact]
    public async Task Plays_name_a_song_and_never_share_user_session_and_ts()
    {
        using var folder = new TempFolder();
        var options = Small with { Users = 40 };
        await DemoDataGenerator.WriteAsync(folder.Path, options);
        var events = ReadEvents(folder.Path);

        var plays = events.Where(e => Page(e) == "NextSong").ToList();
        Assert.InRange((double)plays.Count / events.Count, 0.80, 0.90);
        Assert.All(plays, play =>
        {
            Assert.Equal(JsonValueKind.String, play.GetProperty("artist").ValueKind);
            Assert.Equal(JsonValueKind.String, play.GetProperty("song").ValueKind);
            Assert.Equal(JsonValueKind.Number, play.GetProperty("length").ValueKind);
        });
        Assert.All(events.Where(e => Page(e) != "NextSong"), e =>
        {
            Assert.Equal(JsonValueKind.Null, e.GetProperty("artist").ValueKind);
            Assert.Equal(JsonValueKind.Null, e.GetProperty("song").ValueKind);
            Assert.Equal(JsonValueKind.Null, e.GetProperty("length").ValueKind);
        });

        var playKeys = plays.Select(e => (UserId(e), SessionId(e), e.GetProperty("ts").GetInt64())).ToList();
        Assert.Equal(playKeys.Count, playKeys.Distinct().Count());
        var itemKeys = events.Select(e => (SessionId(e), e.GetProperty("itemInSession").GetInt32(), UserId(e))).ToList();
        Assert.Equal(itemKeys.Count, itemKeys.Distinct().Count());
        Assert.Equal(options.Users, events.Select(UserId).Where(id => id != "").Distinct().Count());
    }

    [Fact]
    public async Task Users_keep_their_profile_and_a_few_change_level_once()
    {
        using var folder = new TempFolder();
        await DemoDataGenerator.WriteAsync(folder.Path, Small with { Users = 100, Events = 20_000 });

        var byUser = ReadEvents(folder.Path)
            .Where(e => UserId(e) != "")
            .GroupBy(UserId)
            .Select(user => user.OrderBy(e => e.GetProperty("ts").GetInt64()).ToList())
            .ToList();
        Assert.All(byUser, user => Assert.All(ProfileFields, field =>
            Assert.Single(user.Select(e => e.GetProperty(field).GetRawText()).Distinct())));
        var levelChanges = byUser
            .Select(user => user.Zip(user.Skip(1)).Count(pair => Level(pair.First) != Level(pair.Second)))
            .ToList();
        Assert.All(levelChanges, changes => Assert.InRange(changes, 0, 1));
        Assert.InRange(levelChanges.Count(changes => changes == 1), 2, 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public async Task About_the_requested_share_of_plays_names_a_generated_song_exactly(double share)
    {
        using var folder = new TempFolder();
        await DemoDataGenerator.WriteAsync(folder.Path, Small with { MatchedPlayShare = share });

        var songs = Directory.EnumerateFiles(Path.Combine(folder.Path, "song_data"), "*.json", SearchOption.AllDirectories)
            .Select(path => JsonDocument.Parse(File.ReadAllBytes(path)).RootElement)
            .ToList();
        var songKeys = songs
            .Select(song => (song.GetProperty("title").GetString(), song.GetProperty("artist_name").GetString(), song.GetProperty("duration").GetDouble()))
            .ToHashSet();
        var titles = songs.Select(song => song.GetProperty("title").GetString()).ToHashSet();
        var artists = songs.Select(song => song.GetProperty("artist_name").GetString()).ToHashSet();
        var plays = ReadEvents(folder.Path).Where(e => Page(e) == "NextSong").ToList();

        var matched = plays.Count(play =>
            songKeys.Contains((play.GetProperty("song").GetString(), play.GetProperty("artist").GetString(), play.GetProperty("length").GetDouble())));
        Assert.InRange((double)matched / plays.Count, share - 0.03, share + 0.03);
        var unmatched = plays.Where(play =>
            !songKeys.Contains((play.GetProperty("song").GetString(), play.GetProperty("artist").GetString(), play.GetProperty("length").GetDouble())));
        Assert.All(unmatched, play =>
        {
            Assert.DoesNotContain(play.GetProperty("song").GetString(), titles);
            Assert.DoesNotContain(play.GetProperty("artist").GetString(), artists);
        });
    }

    [Fact]
    public async Task Non_ascii_and_slashes_appear_only_as_escapes()
    {
        using var folder = new TempFolder();
        await DemoDataGenerator.WriteAsync(folder.Path, Small);

        var logText = new StringBuilder();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(folder.Path, "log_data"), "*.json", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(path);
            AssertPrintableAscii(bytes.Where(b => b != '\n').ToArray(), path);
            logText.Append(Encoding.ASCII.GetString(bytes));
        }
        var text = logText.ToString();
        Assert.Contains("\\u00", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(MalformedUnicodeEscape(), text);
        Assert.Contains("Mozilla\\/5.0", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(UnescapedSlash(), text);
    }

    [Fact]
    public async Task Bad_options_throw_an_argument_exception()
    {
        using var folder = new TempFolder();
        GeneratorOptions[] bad =
        [
            Small with { Songs = 0 }, Small with { Events = -1 }, Small with { Days = 0 }, Small with { Days = 367 },
            Small with { Users = 0 }, Small with { MatchedPlayShare = 1.5 }, Small with { MatchedPlayShare = double.NaN },
        ];

        foreach (var options in bad)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => DemoDataGenerator.WriteAsync(folder.Path, options));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task A_folder_that_already_holds_data_is_refused()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "log_data"));

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => DemoDataGenerator.WriteAsync(folder.Path, Small));

        Assert.Contains("already holds data", refusal.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "song_data")));
    }

    [Fact]
    public async Task A_missing_folder_is_created_and_days_without_events_get_no_file()
    {
        using var folder = new TempFolder();
        var target = Path.Combine(folder.Path, "nested", "demo");

        var summary = await DemoDataGenerator.WriteAsync(target, new GeneratorOptions(Songs: 3, Events: 4, Days: 20));

        var logFiles = Directory.GetFiles(Path.Combine(target, "log_data"), "*.json", SearchOption.AllDirectories);
        Assert.InRange(logFiles.Length, 1, 4);
        Assert.Equal(logFiles.Length, summary.LogFiles);
        Assert.All(logFiles, file => Assert.True(new FileInfo(file).Length > 0, file));
        Assert.Equal(4, summary.Events);
    }

    private static void AssertPrintableAscii(byte[] bytes, string path)
    {
        var offending = bytes.AsSpan().IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        Assert.True(offending < 0, $"{path} holds byte 0x{(offending < 0 ? 0 : bytes[offending]):x2} at offset {offending}");
    }

    private static string Page(JsonElement e) => e.GetProperty("page").GetString()!;

    private static string UserId(JsonElement e) => e.GetProperty("userId").GetString()!;

    private static int SessionId(JsonElement e) => e.GetProperty("sessionId").GetInt32();

    private static string Level(JsonElement e) => e.GetProperty("level").GetString()!;

    private static double Share<T>(IReadOnlyCollection<T> items, Func<T, bool> predicate) =>
        (double)items.Count(predicate) / items.Count;

    private static List<string> RelativeFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();

    private static List<JsonElement> ReadEvents(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "log_data"), "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();

    private static string HashAll(string root)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in RelativeFiles(root).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
            hash.AppendData(File.ReadAllBytes(Path.Combine(root, file)));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(
            System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sparkify-generator-" + Guid.NewGuid().ToString("N"))).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
