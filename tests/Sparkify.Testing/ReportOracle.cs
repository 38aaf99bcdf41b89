using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sparkify.Testing;

/// <summary>
/// The report's answers computed straight from the JSON files of a data folder (<c>song_data/</c>, <c>log_data/</c>),
/// in the report's JSON form (snake_case names, the same order of lists), with no product code: plays are the
/// NextSong events, a play is matched to the song with its title and artist name whose duration is closest to its
/// length, weekdays count from Monday = 0, shares are fractions of the period's plays (of its active users for the
/// users' share by level), percentiles interpolate linearly between the closest ranks (as PostgreSQL's
/// percentile_cont). Tests compare the warehouse's report, the JSON and the page with it, field by field.
/// </summary>
public sealed class ReportOracle
{
    private static readonly string[] WeekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private static readonly (string Label, int Low, int High)[] SessionBuckets =
        [("1", 1, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11-25", 11, 25), ("26-50", 26, 50), ("51-100", 51, 100), ("101+", 101, int.MaxValue)];

    private static readonly Dictionary<string, ReportOracle> Cache = [];

    private ReportOracle(List<Play> plays, Dictionary<string, Song> songs, Dictionary<string, string> artistNames)
    {
        Plays = plays;
        Songs = songs;
        ArtistNames = artistNames;
    }

    /// <summary>Every NextSong event of the folder, with the song it matches (if any).</summary>
    public IReadOnlyList<Play> Plays { get; }

    public IReadOnlyDictionary<string, Song> Songs { get; }

    public IReadOnlyDictionary<string, string> ArtistNames { get; }

    public sealed record Play(
        long User, int Session, int Item, DateTime Ts, string? Level, string? SongTitle, string? ArtistName, double? Length,
        string? Location, string? Agent, string? FirstName, string? LastName, string? SongId, string? ArtistId);

    public sealed record Song(string SongId, string Title, string ArtistId, string ArtistName, double Duration);

    /// <summary>The oracle of a folder, read once per test run.</summary>
    public static ReportOracle Of(string folder)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(folder, out var oracle))
            {
                oracle = Read(folder);
                Cache[folder] = oracle;
            }
            return oracle;
        }
    }

    private static ReportOracle Read(string folder)
    {
        var songs = new Dictionary<string, Song>(StringComparer.Ordinal);
        var artistNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in JsonFiles(Path.Combine(folder, "song_data")))
        {
            foreach (var song in Objects(file))
            {
                var value = new Song(song.GetProperty("song_id").GetString()!, song.GetProperty("title").GetString()!,
                    song.GetProperty("artist_id").GetString()!, song.GetProperty("artist_name").GetString()!, song.GetProperty("duration").GetDouble());
                if (!songs.TryAdd(value.SongId, value) && songs[value.SongId] != value)
                {
                    throw new NotSupportedException($"The oracle does not model a song id with two different songs ({value.SongId}).");
                }
                if (!artistNames.TryAdd(value.ArtistId, value.ArtistName) && artistNames[value.ArtistId] != value.ArtistName)
                {
                    throw new NotSupportedException($"The oracle does not model an artist id with two names ({value.ArtistId}).");
                }
            }
        }
        var byTitleAndArtist = songs.Values.ToLookup(s => (s.Title, s.ArtistName));

        var plays = new List<Play>();
        foreach (var file in JsonFiles(Path.Combine(folder, "log_data")))
        {
            foreach (var e in Objects(file))
            {
                if (e.GetProperty("page").GetString() != "NextSong")
                {
                    continue;
                }
                var title = Text(e, "song");
                var artist = Text(e, "artist");
                double? length = e.GetProperty("length").ValueKind == JsonValueKind.Number ? e.GetProperty("length").GetDouble() : null;
                var match = title is null || artist is null
                    ? null
                    : byTitleAndArtist[(title, artist)]
                        .OrderBy(s => length is { } l ? Math.Abs(s.Duration - l) : double.MaxValue)
                        .ThenBy(s => s.SongId, StringComparer.Ordinal).ThenBy(s => s.ArtistId, StringComparer.Ordinal)
                        .FirstOrDefault();
                plays.Add(new Play(
                    long.Parse(e.GetProperty("userId").GetString()!, CultureInfo.InvariantCulture),
                    e.GetProperty("sessionId").GetInt32(), e.GetProperty("itemInSession").GetInt32(),
                    DateTime.UnixEpoch.AddMilliseconds(e.GetProperty("ts").GetInt64()),
                    Text(e, "level"), title, artist, length, Text(e, "location"), Text(e, "userAgent"),
                    Text(e, "firstName"), Text(e, "lastName"), match?.SongId, match?.ArtistId));
            }
        }
        if (plays.GroupBy(p => (p.User, p.Session, p.Item)).Any(g => g.Count() > 1))
        {
            throw new NotSupportedException("The oracle does not model duplicate plays (one user, session and item twice).");
        }
        return new ReportOracle(plays, songs, artistNames);
    }

    /// <summary>The report of the plays from <paramref name="from"/> to <paramref name="to"/> (UTC dates, both included; null: unbounded).</summary>
    public JsonObject Report(DateOnly? from = null, DateOnly? to = null, int top = 10)
    {
        var start = from?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var plays = Plays.Where(p => (start is null || p.Ts >= start) && (end is null || p.Ts < end)).ToList();
        var total = plays.Count;
        var users = plays.Select(p => p.User).Distinct().Count();
        double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

        var sessions = plays.GroupBy(p => (p.User, p.Session)).Select(g => (Plays: g.Count(), Minutes: (g.Max(p => p.Ts) - g.Min(p => p.Ts)).TotalMinutes)).ToList();
        var sessionPlays = sessions.Select(s => (double)s.Plays).Order().ToArray();
        var sessionMinutes = sessions.Select(s => s.Minutes).Order().ToArray();

        var matched = plays.Where(p => p.SongId is not null).ToList();
        var hourCounts = Enumerable.Range(0, 24).Select(h => (long)plays.Count(p => p.Ts.Hour == h)).ToArray();
        var weekdayCounts = Enumerable.Range(0, 7).Select(d => (long)plays.Count(p => Weekday(p.Ts) == d)).ToArray();
        var levels = plays.GroupBy(p => p.Level ?? "unknown").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Level: g.Key, Plays: (long)g.Count(), Users: (long)g.Select(p => p.User).Distinct().Count())).ToList();
        var paidShare = levels.Where(l => l.Level == "paid").Select(l => Share(l.Plays, total)).FirstOrDefault();

        var busiestHour = Enumerable.Range(0, 24).Where(h => hourCounts[h] > 0).OrderByDescending(h => hourCounts[h]).ThenBy(h => h).Cast<int?>().FirstOrDefault();
        var busiestWeekday = Enumerable.Range(0, 7).Where(d => weekdayCounts[d] > 0).OrderByDescending(d => weekdayCounts[d]).ThenBy(d => d).Cast<int?>().FirstOrDefault();

        var report = new JsonObject
        {
            ["period"] = new JsonObject
            {
                ["from"] = Date(from), ["to"] = Date(to), ["start_utc"] = Moment(start), ["end_utc"] = Moment(end),
            },
            ["totals"] = new JsonObject
            {
                ["plays"] = total, ["active_users"] = users, ["sessions"] = sessions.Count,
                ["songs"] = matched.Select(p => p.SongId).Distinct().Count(), ["artists"] = matched.Select(p => p.ArtistId).Distinct().Count(),
            },
            ["plays_per_day"] = Array(plays.GroupBy(p => DateOnly.FromDateTime(p.Ts)).OrderBy(g => g.Key).Select(g => new JsonObject
            {
                ["day"] = Date(g.Key), ["plays"] = g.Count(), ["active_users"] = g.Select(p => p.User).Distinct().Count(),
            })),
            ["hours"] = Array(Enumerable.Range(0, 24).Select(h => new JsonObject { ["hour"] = h, ["plays"] = hourCounts[h] })),
            ["weekdays"] = Array(Enumerable.Range(0, 7).Select(d => Weekday(d, weekdayCounts[d]))),
            ["hour_by_weekday"] = Array(plays.GroupBy(p => (Weekday: Weekday(p.Ts), p.Ts.Hour)).OrderBy(g => g.Key.Weekday).ThenBy(g => g.Key.Hour)
                .Select(g => new JsonObject { ["weekday"] = g.Key.Weekday, ["hour"] = g.Key.Hour, ["plays"] = g.Count() })),
            ["top_songs"] = Array(matched.GroupBy(p => p.SongId!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(top)
                .Select(g => new JsonObject
                {
                    ["song_id"] = g.Key, ["title"] = Songs[g.Key].Title,
                    ["artist"] = ArtistNames[g.Select(p => p.ArtistId!).Min(StringComparer.Ordinal)!], ["plays"] = g.Count(),
                })),
            ["top_artists"] = Array(matched.GroupBy(p => p.ArtistId!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(top)
                .Select(g => new JsonObject { ["artist_id"] = g.Key, ["name"] = ArtistNames[g.Key], ["plays"] = g.Count() })),
            ["levels"] = Array(levels.Select(l => new JsonObject
            {
                ["level"] = l.Level, ["plays"] = l.Plays, ["play_share"] = Share(l.Plays, total), ["active_users"] = l.Users, ["user_share"] = Share(l.Users, users),
            })),
            ["level_switches"] = Array(LevelSwitches(plays)),
            ["sessions"] = new JsonObject
            {
                ["count"] = sessions.Count,
                ["plays_median"] = Percentile(sessionPlays, 0.5), ["plays_p90"] = Percentile(sessionPlays, 0.9),
                ["length_minutes_median"] = Percentile(sessionMinutes, 0.5), ["length_minutes_p90"] = Percentile(sessionMinutes, 0.9),
            },
            ["session_sizes"] = Array(SessionBuckets.Select(b => new JsonObject
            {
                ["plays"] = b.Label, ["sessions"] = sessions.Count(s => s.Plays >= b.Low && s.Plays <= b.High),
            })),
            ["top_locations"] = Array(plays.GroupBy(p => p.Location ?? "unknown").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(top)
                .Select(g => new JsonObject { ["location"] = g.Key, ["plays"] = g.Count(), ["active_users"] = g.Select(p => p.User).Distinct().Count() })),
            ["browsers"] = Array(Mix(plays, p => Browser(p.Agent))),
            ["operating_systems"] = Array(Mix(plays, p => OperatingSystem(p.Agent))),
            ["catalog"] = new JsonObject
            {
                ["matched_plays"] = matched.Count, ["unmatched_plays"] = total - matched.Count, ["matched_share"] = Share(matched.Count, total),
                ["top_unmatched"] = Array(plays.Where(p => p.SongId is null).GroupBy(p => (Song: p.SongTitle ?? "", Artist: p.ArtistName ?? ""))
                    .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Song, StringComparer.Ordinal).ThenBy(g => g.Key.Artist, StringComparer.Ordinal).Take(top)
                    .Select(g => new JsonObject { ["song"] = g.Key.Song, ["artist"] = g.Key.Artist, ["plays"] = g.Count() })),
            },
            ["is_empty"] = total == 0,
            ["busiest_hour"] = busiestHour is { } hour ? new JsonObject { ["hour"] = hour, ["plays"] = hourCounts[hour] } : null,
            ["busiest_weekday"] = busiestWeekday is { } day ? Weekday(day, weekdayCounts[day]) : null,
            ["paid_play_share"] = paidShare,
        };
        // Parsed back, so that every number reads as any numeric type (as in a document read from the product).
        return JsonNode.Parse(report.ToJsonString())!.AsObject();

        IEnumerable<JsonObject> Mix(List<Play> all, Func<Play, string> classify) =>
            all.GroupBy(classify).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new JsonObject { ["name"] = g.Key, ["plays"] = g.Count(), ["share"] = Share(g.Count(), total) });
    }

    /// <summary>A user's level differing from their previous play's (plays by time, then session, then item).</summary>
    private static IEnumerable<JsonObject> LevelSwitches(List<Play> plays) =>
        plays.GroupBy(p => p.User)
            .SelectMany(g =>
            {
                var ordered = g.OrderBy(p => p.Ts).ThenBy(p => p.Session).ThenBy(p => p.Item).ToList();
                var names = ordered[^1];
                return ordered.Zip(ordered.Skip(1))
                    .Where(pair => pair.First.Level is not null && pair.Second.Level is not null && pair.First.Level != pair.Second.Level)
                    .Select(pair => (Play: pair.Second, From: pair.First.Level!, Names: names));
            })
            .OrderBy(s => s.Play.Ts).ThenBy(s => s.Play.User)
            .Select(s => new JsonObject
            {
                ["user_id"] = s.Play.User, ["first_name"] = s.Names.FirstName, ["last_name"] = s.Names.LastName,
                ["from"] = s.From, ["to"] = s.Play.Level, ["at"] = JsonValue.Create(new DateTimeOffset(s.Play.Ts, TimeSpan.Zero)),
                ["is_upgrade"] = s.From == "free" && s.Play.Level == "paid",
            });

    /// <summary>The browser family by the product tokens this data's agents carry, most specific first.</summary>
    public static string Browser(string? agent) =>
        string.IsNullOrWhiteSpace(agent?.Trim('"')) ? "Unknown"
        : agent.Contains("Firefox/", StringComparison.Ordinal) ? "Firefox"
        : agent.Contains("Chrome/", StringComparison.Ordinal) ? "Chrome"
        : agent.Contains("Trident/", StringComparison.Ordinal) || agent.Contains("MSIE", StringComparison.Ordinal) ? "Internet Explorer"
        : agent.Contains("iPhone", StringComparison.Ordinal) ? "Mobile Safari"
        : agent.Contains("Safari/", StringComparison.Ordinal) ? "Safari"
        : throw new NotSupportedException("The oracle knows the browsers of eventsim's agents only: " + agent);

    /// <summary>The system named in the agent's platform, the first parenthesis.</summary>
    public static string OperatingSystem(string? agent)
    {
        if (string.IsNullOrWhiteSpace(agent?.Trim('"')))
        {
            return "Unknown";
        }
        var platform = agent[(agent.IndexOf('(', StringComparison.Ordinal) + 1)..agent.IndexOf(')', StringComparison.Ordinal)];
        return platform.StartsWith("iPhone", StringComparison.Ordinal) ? "iOS"
            : platform.StartsWith("Windows", StringComparison.Ordinal) || platform.Contains("; Windows NT", StringComparison.Ordinal) ? "Windows"
            : platform.StartsWith("Macintosh", StringComparison.Ordinal) ? "macOS"
            : platform.StartsWith("X11", StringComparison.Ordinal) ? "Linux"
            : throw new NotSupportedException("The oracle knows the platforms of eventsim's agents only: " + agent);
    }

    /// <summary>PostgreSQL's percentile_cont: linear interpolation between the closest ranks; 0 without values.</summary>
    public static double Percentile(double[] sorted, double fraction)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }
        var position = fraction * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    private static int Weekday(DateTime utc) => utc.DayOfWeek == DayOfWeek.Sunday ? 6 : (int)utc.DayOfWeek - 1;

    private static JsonObject Weekday(int day, long plays) => new() { ["weekday"] = day, ["name"] = WeekdayNames[day], ["plays"] = plays };

    private static JsonValue? Date(DateOnly? day) => day is { } d ? JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : null;

    private static JsonValue? Moment(DateTime? utc) =>
        utc is { } u ? JsonValue.Create(u.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)) : null;

    private static JsonArray Array(IEnumerable<JsonNode> items) => [.. items];

    /// <summary>
    /// An event's text as the load stages it: text encoded as UTF-8 more than once is undone, by the documented rule
    /// written again here (no product code): only Latin-1 chars with one at U+0080 or above, whose bytes are strict
    /// UTF-8 decoding to shorter text; repeated while it applies.
    /// </summary>
    private static string? Text(JsonElement e, string name)
    {
        var text = e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        while (text is not null && text.Any(c => c >= '\u0080') && text.All(c => c <= '\u00FF'))
        {
            string decoded;
            try
            {
                decoded = new System.Text.UTF8Encoding(false, true).GetString(System.Text.Encoding.Latin1.GetBytes(text));
            }
            catch (System.Text.DecoderFallbackException)
            {
                break;
            }
            if (decoded.Length >= text.Length)
            {
                break;
            }
            text = decoded;
        }
        return text;
    }

    private static IEnumerable<string> JsonFiles(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [];

    /// <summary>Every JSON object of a file: one per line, or several (pretty-printed) one after another.</summary>
    private static List<JsonElement> Objects(string file)
    {
        var reader = new Utf8JsonReader(File.ReadAllBytes(file), new JsonReaderOptions { AllowMultipleValues = true });
        var objects = new List<JsonElement>();
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            objects.Add(document.RootElement.Clone());
        }
        return objects;
    }
}
