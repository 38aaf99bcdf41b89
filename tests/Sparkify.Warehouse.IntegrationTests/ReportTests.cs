using System.Text.Json;
using Sparkify.Testing;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// Every answer of the report on the real sample, against values this test computes itself from the JSON files (not
/// from the warehouse); and friendly answers where there is nothing to report.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportTests(PostgresFixture postgres)
{
    /// <summary>The sample's NextSong events, read straight from the files.</summary>
    private static readonly Lazy<List<Play>> SamplePlays = new(() =>
        [.. Directory.EnumerateFiles(Path.Combine(SampleData.Folder, "log_data"), "*.json", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Where(line => line.Trim().Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("page").GetString() == "NextSong")
            .Select(e => new Play(
                long.Parse(e.GetProperty("userId").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                e.GetProperty("sessionId").GetInt32(), e.GetProperty("itemInSession").GetInt32(),
                DateTime.UnixEpoch.AddMilliseconds(e.GetProperty("ts").GetInt64()),
                e.GetProperty("level").GetString()!, e.GetProperty("song").GetString()!, e.GetProperty("artist").GetString()!,
                e.GetProperty("location").GetString()!, e.GetProperty("userAgent").GetString()!))]);

    private sealed record Play(long User, int Session, int Item, DateTime Ts, string Level, string Song, string Artist, string Location, string Agent);

    private async Task<(TestWarehouse Warehouse, WarehouseReport Report)> SampleReportAsync(ReportPeriod? period = null)
    {
        var warehouse = await TestWarehouse.CreateAsync(postgres);
        await warehouse.LoadFolderAsync(SampleData.Folder);
        return (warehouse, await new WarehouseReporter(warehouse.DataSource).BuildAsync(period ?? ReportPeriod.All));
    }

    [Fact]
    public async Task Plays_and_active_users_per_day_and_the_totals_match_the_files()
    {
        var (warehouse, report) = await SampleReportAsync();
        await using var _ = warehouse;
        var plays = SamplePlays.Value;

        Assert.Equal(
            plays.GroupBy(p => DateOnly.FromDateTime(p.Ts)).OrderBy(g => g.Key).Select(g => (g.Key, (long)g.Count(), (long)g.Select(p => p.User).Distinct().Count())),
            report.PlaysPerDay.Select(d => (d.Day, d.Plays, d.ActiveUsers)));
        Assert.Equal(plays.Count, report.Totals.Plays);
        Assert.Equal(plays.Select(p => p.User).Distinct().Count(), report.Totals.ActiveUsers);
        Assert.Equal(plays.Select(p => (p.User, p.Session)).Distinct().Count(), report.Totals.Sessions);
    }

    [Fact]
    public async Task The_busiest_hours_and_weekdays_match_the_files()
    {
        var (warehouse, report) = await SampleReportAsync();
        await using var _ = warehouse;
        var plays = SamplePlays.Value;

        var byHour = plays.GroupBy(p => p.Ts.Hour).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(Enumerable.Range(0, 24).Select(h => byHour.GetValueOrDefault(h)), report.Hours.Select(h => h.Plays));
        Assert.Equal(byHour.OrderByDescending(h => h.Value).ThenBy(h => h.Key).First().Key, report.BusiestHour!.Hour);
        var byWeekday = plays.GroupBy(p => ((int)p.Ts.DayOfWeek + 6) % 7).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(Enumerable.Range(0, 7).Select(d => byWeekday.GetValueOrDefault(d)), report.Weekdays.Select(d => d.Plays));
        Assert.Equal(plays.Count, report.HourByWeekday.Sum(c => c.Plays));
    }

    [Fact]
    public async Task The_one_matched_play_is_the_top_song_and_the_rest_are_unmatched()
    {
        var (warehouse, report) = await SampleReportAsync();
        await using var _ = warehouse;

        var song = Assert.Single(report.TopSongs);
        Assert.Equal(("SOZCTXZ12AB0182364", "Setanta matins", "Elena", 1L), (song.SongId, song.Title, song.Artist, song.Plays));
        Assert.Equal(("AR5KOSW1187FB35FF4", 1L), (Assert.Single(report.TopArtists).ArtistId, report.TopArtists[0].Plays));
        Assert.Equal((1L, SamplePlays.Value.Count - 1L), (report.Catalog.MatchedPlays, report.Catalog.UnmatchedPlays));
        Assert.Equal(1.0 / SamplePlays.Value.Count, report.Catalog.MatchedShare, 12);
    }

    [Fact]
    public async Task The_most_played_unmatched_songs_match_the_files()
    {
        var (warehouse, report) = await SampleReportAsync();
        await using var _ = warehouse;

        var expected = SamplePlays.Value
            .Where(p => !(p.Song == "Setanta matins" && p.Artist == "Elena"))
            .GroupBy(p => (p.Song, p.Artist))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Song, StringComparer.Ordinal).ThenBy(g => g.Key.Artist, StringComparer.Ordinal)
            .Take(10)
            .Select(g => (g.Key.Song, g.Key.Artist, (long)g.Count()));
        Assert.Equal(expected, report.Catalog.TopUnmatched.Select(u => (u.Song, u.Artist, u.Plays)));
    }

    [Fact]
    public async Task The_paid_share_and_the_level_switchers_match_the_files()
    {
        var (warehouse, report) = await SampleReportAsync();
        await using var _ = warehouse;
        var plays = SamplePlays.Value;

        Assert.Equal((double)plays.Count(p => p.Level == "paid") / plays.Count, report.PaidPlayShare, 12);
        Assert.Equal(plays.Where(p => p.Level == "free").Select(p => p.User).Distinct().Count(), report.Levels.Single(l => l.Level == "free").ActiveUsers);
        var switches = plays.GroupBy(p => p.User)
            .SelectMany(g => g.OrderBy(p => p.Ts).ThenBy(p => p.Session).ThenBy(p => p.Item)
                .Zip(g.OrderBy(p => p.Ts).ThenBy(p => p.Session).ThenBy(p => p.Item).Skip(1))
                .Where(pair => pair.First.Level != pair.Second.Level)
                .Select(pair => (pair.Second.User, pair.First.Level, pair.Second.Level, pair.Second.Ts)))
            .OrderBy(s => s.Ts).ThenBy(s => s.User);
        Assert.Equal(switches, report.LevelSwitches.Select(s => (s.UserId, s.From, s.To, s.At.UtcDateTime)));
        Assert.Contains(report.LevelSwitches, s => s.IsUpgrade);
    }

    [Fact]
    public async Task Sessions_locations_and_the_browser_mix_match_the_files()
    {
        var (warehouse, report) = await SampleReportAsync();
        await using var _ = warehouse;
        var plays = SamplePlays.Value;

        var sessions = plays.GroupBy(p => (p.User, p.Session)).Select(g => (double)g.Count()).Order().ToArray();
        Assert.Equal(Percentile(sessions, 0.5), report.Sessions.PlaysMedian, 9);
        Assert.Equal(Percentile(sessions, 0.9), report.Sessions.PlaysP90, 9);
        var minutes = plays.GroupBy(p => (p.User, p.Session)).Select(g => (g.Max(p => p.Ts) - g.Min(p => p.Ts)).TotalMinutes).Order().ToArray();
        Assert.Equal(Percentile(minutes, 0.5), report.Sessions.LengthMinutesMedian, 6);
        Assert.Equal(sessions.Length, report.SessionSizes.Sum(s => s.Sessions));
        Assert.Equal(sessions.Count(s => s == 1), report.SessionSizes[0].Sessions);

        var locations = plays.GroupBy(p => p.Location).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(10);
        Assert.Equal(locations.Select(g => (g.Key, (long)g.Count())), report.TopLocations.Select(l => (l.Location, l.Plays)));

        // This data's agents, by the tokens each family's user agents carry (eventsim logs no Edge or Opera).
        string Family(string agent) =>
            agent.Contains("Firefox/") ? "Firefox"
            : agent.Contains("Chrome/") ? "Chrome"
            : agent.Contains("Trident/") || agent.Contains("MSIE") ? "Internet Explorer"
            : agent.Contains("iPhone") ? "Mobile Safari"
            : "Safari";
        var expected = plays.GroupBy(p => Family(p.Agent)).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(expected.OrderBy(e => e.Key), report.Browsers.ToDictionary(b => b.Name, b => b.Plays).OrderBy(e => e.Key));
        Assert.Equal(plays.Count(p => p.Agent.Contains("Windows")), report.OperatingSystems.Single(o => o.Name == "Windows").Plays);
        Assert.Equal(1.0, report.Browsers.Sum(b => b.Share), 9);
    }

    [Fact]
    public async Task A_period_reports_only_its_days()
    {
        var (warehouse, report) = await SampleReportAsync(new ReportPeriod(new DateOnly(2018, 11, 5), new DateOnly(2018, 11, 6)));
        await using var _ = warehouse;

        Assert.Equal([new DateOnly(2018, 11, 5), new DateOnly(2018, 11, 6)], report.PlaysPerDay.Select(d => d.Day));
        Assert.Equal(SamplePlays.Value.Count(p => p.Ts.Day is 5 or 6), report.Totals.Plays);
    }

    [Fact]
    public async Task Nothing_to_report_gives_an_empty_friendly_report_not_an_error()
    {
        await using var empty = await TestWarehouse.CreateAsync(postgres);
        var emptyReport = await new WarehouseReporter(empty.DataSource).BuildAsync(ReportPeriod.All);
        var (sample, noPlays) = await SampleReportAsync(new ReportPeriod(new DateOnly(2030, 1, 1), null));
        await using var _ = sample;
        await using var songsOnly = await TestWarehouse.CreateAsync(postgres);
        using (var folder = new TempFolder())
        {
            folder.Write("song_data/A/A/A/TRONE.json", InputFiles.Song("SO1", "Only", "AR1", "Artist", 100));
            await songsOnly.LoadFolderAsync(folder.Path);
        }
        var songsOnlyReport = await new WarehouseReporter(songsOnly.DataSource).BuildAsync(ReportPeriod.All);
        var noTables = Npgsql.NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync("notables"));
        var noTablesReport = await new WarehouseReporter(noTables).BuildAsync(ReportPeriod.All);
        await noTables.DisposeAsync();

        foreach (var report in new[] { emptyReport, noPlays, songsOnlyReport, noTablesReport })
        {
            Assert.True(report.IsEmpty);
            Assert.Equal(0, report.PaidPlayShare);
            Assert.Equal(0, report.Catalog.MatchedShare);
            Assert.Null(report.BusiestHour);
            Assert.Equal(24, report.Hours.Count);
            Assert.False(double.IsNaN(report.Sessions.PlaysMedian));
        }
    }

    /// <summary>PostgreSQL's percentile_cont: linear interpolation between the closest ranks.</summary>
    private static double Percentile(double[] sorted, double fraction)
    {
        var position = fraction * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
