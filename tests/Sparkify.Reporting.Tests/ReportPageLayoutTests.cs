using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Reporting.Tests;

/// <summary>How the page is laid out for reading: section numbers, count axes, one axis per per-day count, wide tables.</summary>
public sealed partial class ReportPageLayoutTests
{
    private static WarehouseReport Report() => new(
        new ReportPeriod(null, null), new DateTimeOffset(2026, 12, 7, 6, 5, 0, TimeSpan.Zero),
        new ReportTotals(5, 3, 4, 2, 2),
        [new DayActivity(new DateOnly(2018, 11, 1), 3, 2), new DayActivity(new DateOnly(2018, 11, 2), 2, 1)],
        [.. Enumerable.Range(0, 24).Select(h => new HourActivity(h, h is 3 or 4 ? 1 : 0))],
        [.. Enumerable.Range(0, 7).Select(d => new WeekdayActivity(d, $"day {d}", d == 3 ? 2 : 0))],
        [new HourOfWeekday(3, 3, 1), new HourOfWeekday(3, 4, 1)],
        [new TopSong("SO1", "Setanta matins", "Elena", 1), new TopSong("SO2", "Intro", "Someone", 1)],
        [new TopArtist("AR1", "Elena", 1), new TopArtist("AR2", "Someone", 1)],
        [new LevelShare("free", 2, 0.4, 1, 1 / 3.0), new LevelShare("paid", 3, 0.6, 2, 2 / 3.0)],
        [],
        new SessionStats(4, 1, 2, 3, 4),
        [new SessionSize("1", 3), new SessionSize("2-5", 1)],
        [new LocationActivity("Phoenix-Mesa-Scottsdale, AZ", 5, 3)],
        [new NamedShare("Chrome", 5, 1)], [new NamedShare("Windows", 5, 1)],
        new CatalogCoverage(2, 3, 0.4, [new UnmatchedSong("You're The One", "Dwight Yoakam", 37)]));

    [Fact]
    public void Section_numbers_are_unique_and_count_up_from_one()
    {
        var numbers = SectionNumber().Matches(ReportHtml.Render(Report())).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

        Assert.True(numbers.Count >= 10, $"{numbers.Count} numbered sections");
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
    }

    [Fact]
    public void Count_charts_have_whole_number_ticks()
    {
        // Every value 1: the automatic ticks of a 0-1 axis were 0, 0.2, 0.4, … (a fifth of a play).
        AssertWholeNumberTicks(ReportCharts.Bars([("Setanta matins — Elena", 1), ("Intro — Someone", 1)], "plays"));
        AssertWholeNumberTicks(ReportCharts.Columns([("1", 1), ("2-5", 1), ("6-20", 0)], "sessions"));
        AssertWholeNumberTicks(ReportCharts.PerDay([(new DateOnly(2018, 11, 1), 1), (new DateOnly(2018, 11, 2), 2)], "active users per day"));
    }

    [Fact]
    public void Active_users_per_day_have_a_chart_of_their_own()
    {
        var page = ReportHtml.Render(Report());

        var plays = Chart(page, "plays_per_day");
        var users = Chart(page, "active_users_per_day");
        Assert.Contains("plays per day", plays, StringComparison.Ordinal);
        Assert.DoesNotContain("active users", plays, StringComparison.Ordinal);
        Assert.Contains("active users per day", users, StringComparison.Ordinal);
        Assert.DoesNotContain("plays per day", users, StringComparison.Ordinal);
    }

    [Fact]
    public void Song_and_artist_tables_take_the_full_width_below_their_chart_and_wrap_their_text()
    {
        var page = ReportHtml.Render(Report());

        Assert.Contains("<div class=\"tables wide\"><p><span data-answer=\"matched_plays\">", page, StringComparison.Ordinal);
        Assert.Contains("<div class=\"tables wide\"><table><thead><tr><th>song</th><th>artist</th><th>plays</th>", page, StringComparison.Ordinal);
        Assert.Contains(".row > .tables.wide { flex: 1 1 100%; }", page, StringComparison.Ordinal);
        Assert.Contains(".tables.wide td:not(.n) { white-space: normal;", page, StringComparison.Ordinal);
    }

    /// <summary>The chart's tick labels (its SVG text) that are numbers: at least two, and every one whole.</summary>
    private static void AssertWholeNumberTicks(string svg)
    {
        var texts = XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
        var numbers = texts.Where(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
        Assert.True(numbers.Count >= 2, $"tick labels: {string.Join(", ", texts)}");
        Assert.All(numbers, n => Assert.Equal(Math.Round(n), n));
    }

    private static string Chart(string page, string id) =>
        page.Split($"data-chart=\"{id}\">")[1].Split("</svg>")[0];

    [GeneratedRegex("<h2>(\\d+)\\. ")]
    private static partial Regex SectionNumber();
}
