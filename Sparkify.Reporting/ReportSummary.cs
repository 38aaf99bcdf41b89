using System.Globalization;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Reporting;

/// <summary>The few answers a run ends with: top songs, the busiest hour, the paid share, the match rate.</summary>
public static class ReportSummary
{
    public static IEnumerable<string> Lines(WarehouseReport report, int songs = 5)
    {
        if (report.IsEmpty)
        {
            yield return "No plays yet: the report has nothing to say.";
            yield break;
        }
        yield return $"{report.Totals.Plays:N0} plays by {report.Totals.ActiveUsers:N0} users in {report.Totals.Sessions:N0} sessions ({report.Period}).";
        yield return report.TopSongs.Count == 0
            ? "Top songs: none — no play matched a song of the catalog."
            : "Top songs: " + string.Join("; ", report.TopSongs.Take(songs).Select(s => $"{s.Title} by {s.Artist} ({s.Plays:N0})"));
        if (report.BusiestHour is { } hour)
        {
            yield return $"Busiest hour: {hour.Hour:00}:00-{hour.Hour:00}:59 UTC ({hour.Plays:N0} plays).";
        }
        yield return $"Paid plays: {Percent(report.PaidPlayShare)}. Plays matched to a song: {Percent(report.Catalog.MatchedShare)}.";
    }

    /// <summary>A share as a percentage; below 1% with two decimals, so that a few plays in thousands do not read as none.</summary>
    public static string Percent(double share) =>
        (share * 100).ToString(share is > 0 and < 0.01 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "%";
}
