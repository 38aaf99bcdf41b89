using System.Globalization;
using System.Net;
using System.Text;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Reporting;

/// <summary>
/// The report as one self-contained HTML page (no network needed to open it): the answers as tables, each with its
/// chart inline as SVG. The same page is what <c>sparkify report --html</c> writes and what the report service serves;
/// served live, a period form and a reload when the star schema changes are added.
/// </summary>
public static class ReportHtml
{
    /// <param name="live">Served by the report service: a form to choose the period, and a reload when the warehouse changes.</param>
    /// <param name="version">When the star schema last changed, as the page was made (what <c>/version</c> is compared with).</param>
    public static string Render(WarehouseReport report, bool live = false, long version = 0, int top = 10)
    {
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Sparkify report — {{E(report.Period.ToString())}}</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; color: #1f2933; padding: 0 1rem; }
            h1 { margin-bottom: .2rem; } .meta { color: #616e7c; margin-top: 0; }
            section { margin: 2.2rem 0; } h2 { border-bottom: 1px solid #d9e2ec; padding-bottom: .3rem; }
            .cards { display: flex; flex-wrap: wrap; gap: 1rem; }
            .card { background: #f5f7fa; border-radius: 8px; padding: .8rem 1.1rem; min-width: 9rem; }
            .card b { display: block; font-size: 1.6rem; }
            table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
            th, td { padding: .25rem .7rem; border-bottom: 1px solid #e4e7eb; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            .chart svg { max-width: 100%; height: auto; } .chart svg image { image-rendering: optimizeSpeed; image-rendering: pixelated; }
            .row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
            .row > .tables { flex: 0 1 auto; max-width: 100%; overflow-x: auto; } .scroll { max-height: 340px; overflow: auto; }
            th, td { white-space: nowrap; }
            .row > .tables.wide { flex: 1 1 100%; } .tables.wide td:not(.n) { white-space: normal; overflow-wrap: anywhere; }
            .empty { color: #616e7c; font-style: italic; }
            form { margin: 1rem 0; } form input { margin-right: .6rem; }
            </style></head><body>
            <h1>Sparkify report</h1>
            <p class="meta">Period: {{E(report.Period.ToString())}} · generated {{report.GeneratedAt:yyyy-MM-dd HH:mm}} UTC</p>
            """);
        if (live)
        {
            html.Append($"""
                <form method="get"><label>From <input type="date" name="from" value="{report.Period.From:yyyy-MM-dd}"></label>
                <label>To <input type="date" name="to" value="{report.Period.To:yyyy-MM-dd}"></label>
                <label>Top <input type="number" name="top" min="1" max="100" value="{top}"></label><button>Show</button></form>
                """);
        }
        if (report.IsEmpty)
        {
            html.Append("""<p class="empty" data-answer="empty">No plays in this period: load some log files, or choose other dates.</p>""");
        }
        var totals = report.Totals;
        html.Append("""<div class="cards">""");
        Card(html, "plays", totals.Plays.ToString("N0", CultureInfo.InvariantCulture), "plays");
        Card(html, "active_users", totals.ActiveUsers.ToString("N0", CultureInfo.InvariantCulture), "active users");
        Card(html, "sessions", totals.Sessions.ToString("N0", CultureInfo.InvariantCulture), "sessions");
        Card(html, "busiest_hour", report.BusiestHour is { } hour ? $"{hour.Hour:00}:00" : "–", "busiest hour (UTC)");
        Card(html, "paid_play_share", ReportSummary.Percent(report.PaidPlayShare), "plays on paid");
        Card(html, "matched_share", ReportSummary.Percent(report.Catalog.MatchedShare), "plays matched to a song");
        html.Append("</div>");

        var sections = new NumberedSections(html);
        sections.Add("plays_per_day", "Plays and active users per day",
            [("plays_per_day", report.PlaysPerDay.Count > 0 ? ReportCharts.PerDay([.. report.PlaysPerDay.Select(d => (d.Day, (double)d.Plays))], "plays per day") : null),
             ("active_users_per_day", report.PlaysPerDay.Count > 0 ? ReportCharts.PerDay([.. report.PlaysPerDay.Select(d => (d.Day, (double)d.ActiveUsers))], "active users per day") : null)],
            """<div class="scroll">""" +
            Table(["day", "plays", "active users"], report.PlaysPerDay.Select(d => Row(Text(d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), N(d.Plays), N(d.ActiveUsers)))) +
            "</div>");
        sections.Add("hour_by_weekday", "When people listen: weekday × hour (UTC)", report.IsEmpty ? null : ReportCharts.HourByWeekday(report.HourByWeekday),
            Table(["weekday", "plays"], report.Weekdays.Select(d => Row(Text(d.Name), N(d.Plays)))));
        sections.Add("hours", "Plays by hour of day (UTC)",
            report.IsEmpty ? null : ReportCharts.Columns([.. report.Hours.Select(h => ($"{h.Hour:00}", (double)h.Plays))], "plays"),
            Table(["hour", "plays"], report.BusiestHours().Take(5)
                .Select(h => Row(Text($"{h.Hour:00}:00"), N(h.Plays)))));
        sections.Add("top_songs", "Top songs (matched plays)",
            report.TopSongs.Count > 0 ? ReportCharts.Bars([.. report.TopSongs.Select(s => ($"{s.Title} — {s.Artist}", (double)s.Plays))], "plays") : null,
            Table(["song", "artist", "plays"], report.TopSongs.Select(s => Row(Text(s.Title), Text(s.Artist), N(s.Plays)))) +
            $"""<p><span data-answer="unmatched_plays">{report.Catalog.UnmatchedPlays:N0}</span> plays are not matched to a song of the catalog.</p>""",
            wideTables: true);
        sections.Add("top_artists", "Top artists (matched plays)",
            report.TopArtists.Count > 0 ? ReportCharts.Bars([.. report.TopArtists.Select(a => (a.Name, (double)a.Plays))], "plays") : null,
            Table(["artist", "plays"], report.TopArtists.Select(a => Row(Text(a.Name), N(a.Plays)))));
        sections.Add("levels", "Free and paid",
            report.Levels.Count > 0 ? ReportCharts.Bars([.. report.Levels.Select(l => (l.Level, (double)l.Plays))], "plays") : null,
            Table(["level", "plays", "share of plays", "active users", "share of users"],
                report.Levels.Select(l => Row(Text(l.Level), N(l.Plays), Text(ReportSummary.Percent(l.PlayShare)), N(l.ActiveUsers), Text(ReportSummary.Percent(l.UserShare))))) +
            $"""<p><span data-answer="upgrades">{report.LevelSwitches.Count(s => s.IsUpgrade)}</span> upgrade(s) and <span data-answer="downgrades">{report.LevelSwitches.Count(s => !s.IsUpgrade)}</span> downgrade(s):</p>""" +
            Table(["user", "name", "from", "to", "at (UTC)"], report.LevelSwitches.Select(s =>
                Row(N(s.UserId), Text($"{s.FirstName} {s.LastName}".Trim()), Text(s.From), Text(s.To), Text(s.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))))));
        var sessions = report.Sessions;
        sections.Add("sessions", "Sessions: plays per session",
            sessions.Count > 0 ? ReportCharts.Columns([.. report.SessionSizes.Select(s => (s.Plays, (double)s.Sessions))], "sessions") : null,
            Table(["sessions", "plays per session (median)", "p90", "minutes (median)", "p90"],
                [Row(N(sessions.Count), D(sessions.PlaysMedian), D(sessions.PlaysP90), D(sessions.LengthMinutesMedian), D(sessions.LengthMinutesP90))]));
        sections.Add("top_locations", "Top locations",
            report.TopLocations.Count > 0 ? ReportCharts.Bars([.. report.TopLocations.Select(l => (l.Location, (double)l.Plays))], "plays") : null,
            Table(["location", "plays", "active users"], report.TopLocations.Select(l => Row(Text(l.Location), N(l.Plays), N(l.ActiveUsers)))));
        sections.Add("browsers", "Browsers",
            report.Browsers.Count > 0 ? ReportCharts.Bars([.. report.Browsers.Select(b => (b.Name, (double)b.Plays))], "plays", 560) : null,
            Table(["browser", "plays", "share"], report.Browsers.Select(b => Row(Text(b.Name), N(b.Plays), Text(ReportSummary.Percent(b.Share))))));
        sections.Add("operating_systems", "Operating systems",
            report.OperatingSystems.Count > 0 ? ReportCharts.Bars([.. report.OperatingSystems.Select(b => (b.Name, (double)b.Plays))], "plays", 560) : null,
            Table(["system", "plays", "share"], report.OperatingSystems.Select(b => Row(Text(b.Name), N(b.Plays), Text(ReportSummary.Percent(b.Share))))));
        sections.Add("catalog", "Catalog coverage: the songs the catalog should add",
            report.Catalog.TopUnmatched.Count > 0 ? ReportCharts.Bars([.. report.Catalog.TopUnmatched.Select(u => ($"{u.Song} — {u.Artist}", (double)u.Plays))], "plays") : null,
            $"""<p><span data-answer="matched_plays">{report.Catalog.MatchedPlays:N0}</span> of {totals.Plays:N0} plays matched to a song ({ReportSummary.Percent(report.Catalog.MatchedShare)}).</p>""" +
            Table(["song", "artist", "plays"], report.Catalog.TopUnmatched.Select(u => Row(Text(u.Song), Text(u.Artist), N(u.Plays)))),
            wideTables: true);

        if (live)
        {
            html.Append($$"""
                <script>
                // Reload when a star load has committed since (the warehouse changed), whichever batch it was.
                setInterval(async () => {
                  try { const r = await fetch('version'); if (r.ok && (await r.text()).trim() !== '{{version}}') location.reload(); } catch (e) { }
                }, 5000);
                </script>
                """);
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Card(StringBuilder html, string answer, string value, string label) =>
        html.Append($"""<div class="card"><b data-answer="{answer}">{E(value)}</b>{E(label)}</div>""");

    /// <summary>
    /// The page's sections, numbered here and only here, in the order they are added: no two share a number. A
    /// section's charts sit beside its tables; <c>wideTables</c> (song and artist names) puts the tables below the
    /// charts at the page's full width, their text wrapping, so that no column is clipped or needs a sideways scroll.
    /// </summary>
    private sealed class NumberedSections(StringBuilder html)
    {
        private int _number;

        public void Add(string id, string title, string? svg, string tables, bool wideTables = false) =>
            Add(id, title, [(id, svg)], tables, wideTables);

        public void Add(string id, string title, IReadOnlyList<(string Id, string? Svg)> charts, string tables, bool wideTables = false)
        {
            _number++;
            html.Append($"""<section id="{id}"><h2>{_number}. {E(title)}</h2><div class="row">""");
            foreach (var (chart, svg) in charts)
            {
                html.Append(svg is null
                    ? $"""<div class="chart empty" data-chart="{chart}">No plays to chart.</div>"""
                    : $"""<div class="chart" data-chart="{chart}">{svg}</div>""");
            }
            html.Append($"""<div class="tables{(wideTables ? " wide" : "")}">{tables}</div></div></section>""");
        }
    }

    private static string Table(string[] headers, IEnumerable<string> rows)
    {
        var body = string.Concat(rows);
        return body.Length == 0
            ? """<p class="empty">None.</p>"""
            : $"<table><thead><tr>{string.Concat(headers.Select(h => $"<th>{E(h)}</th>"))}</tr></thead><tbody>{body}</tbody></table>";
    }

    private static string Row(params string[] cells) => $"<tr>{string.Concat(cells)}</tr>";

    private static string Text(string value) => $"<td>{E(value)}</td>";

    private static string N(long value) => $"""<td class="n">{value.ToString("N0", CultureInfo.InvariantCulture)}</td>""";

    private static string D(double value) => $"""<td class="n">{value.ToString("0.#", CultureInfo.InvariantCulture)}</td>""";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
