using System.Text.Json;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Reporting.Tests;

/// <summary>
/// How a report is shaped for people and scripts — the run's closing lines, the terminal tables, the JSON names, the
/// HTML page's answers and escaping — from reports built by hand, without a warehouse.
/// </summary>
public sealed class ReportShapingTests
{
    private static WarehouseReport Report(long plays = 1234, IReadOnlyList<TopSong>? songs = null, string location = "Phoenix-Mesa-Scottsdale, AZ")
    {
        long[] busy = [0, 0, 0, 34, 0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 0, 0, 700, 700, 0, 0, 8, 0, 0, 0];
        var hours = Enumerable.Range(0, 24).Select(h => new HourActivity(h, busy[h])).ToList();
        if (plays == 0)
        {
            hours = [.. Enumerable.Range(0, 24).Select(h => new HourActivity(h, 0))];
        }
        string[] days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        return new WarehouseReport(
            new ReportPeriod(new DateOnly(2018, 11, 1), null), new DateTimeOffset(2026, 12, 7, 6, 5, 0, TimeSpan.Zero),
            new ReportTotals(plays, plays == 0 ? 0 : 12, plays == 0 ? 0 : 30, 2, 2),
            plays == 0 ? [] : [new DayActivity(new DateOnly(2018, 11, 1), plays, 12)],
            hours,
            [.. Enumerable.Range(0, 7).Select(d => new WeekdayActivity(d, days[d], d == 3 ? plays : 0))],
            plays == 0 ? [] : [new HourOfWeekday(3, 16, 700), new HourOfWeekday(3, 17, 534)],
            songs ?? [new TopSong("SO1", "Setanta matins", "Elena", 3), new TopSong("SO2", "<b>Bold</b>", "A & B", 1)],
            plays == 0 ? [] : [new TopArtist("AR1", "Elena", 3)],
            plays == 0 ? [] : [new LevelShare("free", 1000, 1000.0 / plays, 10, 10 / 12.0), new LevelShare("paid", plays - 1000, (plays - 1000.0) / plays, 3, 3 / 12.0)],
            plays == 0 ? [] : [new LevelSwitch(15, "Lily", "Koch", "free", "paid", new DateTimeOffset(2018, 11, 21, 21, 56, 47, TimeSpan.Zero)),
             new LevelSwitch(16, null, null, "paid", "free", new DateTimeOffset(2018, 11, 22, 1, 0, 0, TimeSpan.Zero)),
             new LevelSwitch(29, "Jo", "Lynch", "free", "paid", new DateTimeOffset(2018, 11, 23, 2, 0, 0, TimeSpan.Zero))],
            new SessionStats(plays == 0 ? 0 : 30, 12.5, 40, 60.25, 117.1),
            [new SessionSize("1", 3), new SessionSize("2-5", 27)],
            plays == 0 ? [] : [new LocationActivity(location, plays, 12)],
            plays == 0 ? [] : [new NamedShare("Chrome", plays, 1)], plays == 0 ? [] : [new NamedShare("Windows", plays, 1)],
            plays == 0 ? new CatalogCoverage(0, 0, 0, [])
                : new CatalogCoverage(4, plays - 4, 4.0 / plays, [new UnmatchedSong("You're The One", "Dwight Yoakam", 37)]));
    }

    [Theory]
    [InlineData(0, "0.0%")]
    [InlineData(0.0004, "0.04%")]
    [InlineData(0.005, "0.50%")]
    [InlineData(0.00999, "1.00%")]
    [InlineData(0.01, "1.0%")]
    [InlineData(0.12345, "12.3%")]
    [InlineData(1, "100.0%")]
    public void Shares_are_percentages_with_two_decimals_below_one_percent(double share, string shown)
    {
        Assert.Equal(shown, ReportSummary.Percent(share));
    }

    [Fact]
    public void A_run_ends_with_the_totals_the_top_songs_the_busiest_hour_and_the_shares()
    {
        Assert.Equal(
        [
            "1,234 plays by 12 users in 30 sessions (from 2018-11-01).",
            "Top songs: Setanta matins by Elena (3)",
            "Busiest hour: 16:00-16:59 UTC (700 plays).",
            "Paid plays: 19.0%. Plays matched to a song: 0.32%.",
        ], ReportSummary.Lines(Report(), songs: 1));
        Assert.Equal("Top songs: Setanta matins by Elena (3); <b>Bold</b> by A & B (1)", ReportSummary.Lines(Report()).ElementAt(1));
        Assert.Equal("Top songs: none — no play matched a song of the catalog.", ReportSummary.Lines(Report(songs: [])).ElementAt(1));
        Assert.Equal(["No plays yet: the report has nothing to say."], ReportSummary.Lines(Report(plays: 0)));
    }

    [Fact]
    public async Task The_terminal_tables_align_numbers_right_and_text_left_and_cut_long_text()
    {
        var location = new string('L', 60);
        using var output = new StringWriter();
        await ReportText.WriteAsync(output, Report(location: location));
        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();

        Assert.Equal("Sparkify report: from 2018-11-01 (generated 2026-12-07 06:05 UTC)", lines[0]);
        Assert.Equal("1,234 plays, 12 active users, 30 sessions, 2 songs and 2 artists of the catalog played.", lines[1]);
        string[] hours =
        [
            "Busiest hours of the day (UTC)",
            "  hour   plays",
            "  -----  -----",
            "  16:00    700",
            "  17:00    700",
            "  03:00     34",
            "  20:00      8",
            "  09:00      6",
            "  08:00      5",
        ];
        Assert.Equal(hours, lines.SkipWhile(l => l != hours[0]).Take(hours.Length + 1).TakeWhile(l => l.Length > 0));
        Assert.Contains("  " + location[..47] + "…  1,234            12", lines);
        Assert.Contains("    15  Lily Koch  free  paid  2018-11-21 21:56", lines);
        Assert.Contains("    16             paid  free  2018-11-22 01:00", lines);
        Assert.Contains("        30                       12.5   40             60.3  117.1", lines);
        Assert.Contains("  free   1,000           81.0%            10           83.3%", lines);
        Assert.Contains("Level switches: 2 upgrade(s), 1 downgrade(s)", lines);
        Assert.Equal(
        [
            "Plays and active users per day", "Busiest hours of the day (UTC)", "Plays by day of the week", "Top songs (matched plays)",
            "Top artists (matched plays)", "Free and paid", "Level switches: 2 upgrade(s), 1 downgrade(s)", "Sessions", "Sessions by plays",
            "Top locations", "Browsers", "Operating systems", "Catalog coverage: 0.32% of plays matched; most played songs it lacks",
        ], lines.Where((l, i) => i > 0 && lines[i - 1].Length == 0 && l.Length > 0));
        Assert.Contains("         day  plays  active users", lines);
        Assert.Contains("  Thursday   1,234", lines);
        Assert.Contains("  Elena       3", lines);
        Assert.Contains("    2-5        27", lines);
        Assert.Contains("  Chrome   1,234  100.0%", lines);
        Assert.Contains("  Windows  1,234  100.0%", lines);
        Assert.Contains("  1,230 plays are not matched to a song of the catalog.", lines);
        Assert.Contains("Catalog coverage: 0.32% of plays matched; most played songs it lacks", lines);

        using var nothing = new StringWriter();
        await ReportText.WriteAsync(nothing, Report(plays: 0, songs: []));
        Assert.Equal(["Sparkify report: from 2018-11-01 (generated 2026-12-07 06:05 UTC)", "No plays in this period: load some log files, or widen --from/--to.", ""],
            nothing.ToString().Replace("\r", "", StringComparison.Ordinal).Split('\n'));

        using var empty = new StringWriter();
        await ReportText.WriteAsync(empty, Report(songs: []));
        Assert.Contains("Top songs (matched plays)\n  (none)", empty.ToString().Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_names_are_snake_case_and_computed_answers_are_included()
    {
        using var json = JsonDocument.Parse(ReportJson.Serialize(Report()));
        var root = json.RootElement;

        Assert.Equal(1234, root.GetProperty("totals").GetProperty("plays").GetInt64());
        Assert.Equal(12, root.GetProperty("totals").GetProperty("active_users").GetInt64());
        Assert.True(root.GetProperty("level_switches")[0].GetProperty("is_upgrade").GetBoolean());
        Assert.False(root.GetProperty("level_switches")[1].GetProperty("is_upgrade").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("level_switches")[1].GetProperty("first_name").ValueKind);
        Assert.Equal(16, root.GetProperty("busiest_hour").GetProperty("hour").GetInt32());
        Assert.Equal("Thursday", root.GetProperty("busiest_weekday").GetProperty("name").GetString());
        Assert.Equal((1234 - 1000) / 1234.0, root.GetProperty("paid_play_share").GetDouble(), 12);
        Assert.False(root.GetProperty("is_empty").GetBoolean());
        Assert.Equal("2018-11-01", root.GetProperty("period").GetProperty("from").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("period").GetProperty("to").ValueKind);
        Assert.Contains("\n  \"period\"", ReportJson.Serialize(Report()).Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_escapes_what_it_shows_and_marks_every_answer()
    {
        var page = ReportHtml.Render(Report());

        Assert.Contains("<td>&lt;b&gt;Bold&lt;/b&gt;</td><td>A &amp; B</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Bold</b>", page, StringComparison.Ordinal);
        Assert.Equal(12, page.Split("data-chart=").Length - 1);
        Assert.Equal(12, page.Split("<svg").Length - 1);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.EndsWith("</body></html>", page, StringComparison.Ordinal);
        Assert.Contains("<div class=\"cards\"><div class=\"card\"><b data-answer=\"plays\">1,234</b>plays</div>", page, StringComparison.Ordinal);
        Assert.Contains("<b data-answer=\"active_users\">12</b>active users</div>", page, StringComparison.Ordinal);
        Assert.Contains("<b data-answer=\"sessions\">30</b>sessions</div>", page, StringComparison.Ordinal);
        Assert.Contains("<section id=\"hours\"><h2>3. Plays by hour of day (UTC)</h2><div class=\"row\">", page, StringComparison.Ordinal);
        var busiest = page.Split("<section id=\"hours\">")[1].Split("</section>")[0];
        Assert.Equal(["16:00", "17:00", "03:00", "20:00", "09:00"],
            busiest.Split("<tr><td>").Skip(1).Select(row => row[..5]));
        Assert.Contains("<b data-answer=\"busiest_hour\">16:00</b>", page, StringComparison.Ordinal);
        Assert.Contains("<b data-answer=\"paid_play_share\">19.0%</b>", page, StringComparison.Ordinal);
        Assert.Contains("<b data-answer=\"matched_share\">0.32%</b>", page, StringComparison.Ordinal);
        Assert.Contains("<span data-answer=\"upgrades\">2</span>", page, StringComparison.Ordinal);
        Assert.Contains("<span data-answer=\"downgrades\">1</span>", page, StringComparison.Ordinal);
        Assert.Contains("<td class=\"n\">12.5</td><td class=\"n\">40</td><td class=\"n\">60.3</td><td class=\"n\">117.1</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);

        var live = ReportHtml.Render(Report(), live: true, version: 42, top: 7);
        Assert.Contains("name=\"from\" value=\"2018-11-01\"", live, StringComparison.Ordinal);
        Assert.Contains("name=\"top\" min=\"1\" max=\"100\" value=\"7\"", live, StringComparison.Ordinal);
        Assert.Contains("!== '42'", live, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_without_plays_says_so_and_draws_no_chart()
    {
        var page = ReportHtml.Render(Report(plays: 0, songs: []));

        Assert.Contains("data-answer=\"empty\"", page, StringComparison.Ordinal);
        Assert.Contains("<b data-answer=\"busiest_hour\">–</b>", page, StringComparison.Ordinal);
        Assert.Equal(0, page.Split("<svg").Length - 1);
        Assert.Contains("<div class=\"chart empty\" data-chart=\"top_songs\">No plays to chart.</div>", page, StringComparison.Ordinal);
        Assert.Contains("<div class=\"chart empty\" data-chart=\"plays_per_day\">No plays to chart.</div>", page, StringComparison.Ordinal);
        Assert.Contains("<div class=\"tables wide\"><p class=\"empty\">None.</p><p><span data-answer=\"unmatched_plays\">0</span>", page, StringComparison.Ordinal);
    }
}
