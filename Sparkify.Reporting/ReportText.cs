using Sparkify.Warehouse.Reports;

namespace Sparkify.Reporting;

/// <summary>The report as aligned tables, for people in a terminal.</summary>
public static class ReportText
{
    public static async Task WriteAsync(TextWriter output, WarehouseReport report)
    {
        await output.WriteLineAsync($"Sparkify report: {report.Period} (generated {report.GeneratedAt:yyyy-MM-dd HH:mm} UTC)");
        if (report.IsEmpty)
        {
            await output.WriteLineAsync("No plays in this period: load some log files, or widen --from/--to.");
            return;
        }
        var totals = report.Totals;
        await output.WriteLineAsync(
            $"{totals.Plays:N0} plays, {totals.ActiveUsers:N0} active users, {totals.Sessions:N0} sessions, {totals.Songs:N0} songs and {totals.Artists:N0} artists of the catalog played.");

        await Section(output, "Plays and active users per day", new TextTable("day", "plays", "active users")
            .AddAll(report.PlaysPerDay, d => [d.Day.ToString("yyyy-MM-dd"), d.Plays, d.ActiveUsers]));
        await Section(output, "Busiest hours of the day (UTC)", new TextTable("hour", "plays")
            .AddAll(report.BusiestHours().Take(8), h => [$"{h.Hour:00}:00", h.Plays]));
        await Section(output, "Plays by day of the week", new TextTable("day", "plays").AddAll(report.Weekdays, d => [d.Name, d.Plays]));
        await Section(output, "Top songs (matched plays)", new TextTable("song", "artist", "plays").AddAll(report.TopSongs, s => [s.Title, s.Artist, s.Plays]));
        await Section(output, "Top artists (matched plays)", new TextTable("artist", "plays").AddAll(report.TopArtists, a => [a.Name, a.Plays]));
        await output.WriteLineAsync($"  {report.Catalog.UnmatchedPlays:N0} plays are not matched to a song of the catalog.");
        await Section(output, "Free and paid", new TextTable("level", "plays", "share of plays", "active users", "share of users")
            .AddAll(report.Levels, l => [l.Level, l.Plays, ReportSummary.Percent(l.PlayShare), l.ActiveUsers, ReportSummary.Percent(l.UserShare)]));
        await Section(output,
            $"Level switches: {report.LevelSwitches.Count(s => s.IsUpgrade):N0} upgrade(s), {report.LevelSwitches.Count(s => !s.IsUpgrade):N0} downgrade(s)",
            new TextTable("user", "name", "from", "to", "at (UTC)")
                .AddAll(report.LevelSwitches, s => [s.UserId, $"{s.FirstName} {s.LastName}".Trim(), s.From, s.To, s.At.ToString("yyyy-MM-dd HH:mm")]));
        var sessions = report.Sessions;
        await Section(output, "Sessions", new TextTable("sessions", "plays per session: median", "p90", "minutes: median", "p90")
            .Add(sessions.Count, sessions.PlaysMedian, sessions.PlaysP90, sessions.LengthMinutesMedian, sessions.LengthMinutesP90));
        await Section(output, "Sessions by plays", new TextTable("plays", "sessions").AddAll(report.SessionSizes, s => [s.Plays, s.Sessions]));
        await Section(output, "Top locations", new TextTable("location", "plays", "active users").AddAll(report.TopLocations, l => [l.Location, l.Plays, l.ActiveUsers]));
        await Section(output, "Browsers", new TextTable("browser", "plays", "share").AddAll(report.Browsers, b => [b.Name, b.Plays, ReportSummary.Percent(b.Share)]));
        await Section(output, "Operating systems", new TextTable("system", "plays", "share").AddAll(report.OperatingSystems, b => [b.Name, b.Plays, ReportSummary.Percent(b.Share)]));
        await Section(output, $"Catalog coverage: {ReportSummary.Percent(report.Catalog.MatchedShare)} of plays matched; most played songs it lacks",
            new TextTable("song", "artist", "plays").AddAll(report.Catalog.TopUnmatched, u => [u.Song, u.Artist, u.Plays]));
    }

    private static async Task Section(TextWriter output, string title, TextTable table)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync(title);
        await table.WriteAsync(output);
    }

    private static TextTable AddAll<T>(this TextTable table, IEnumerable<T> rows, Func<T, object[]> cells)
    {
        foreach (var row in rows)
        {
            table.Add(cells(row));
        }
        return table;
    }
}
