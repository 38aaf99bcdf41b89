namespace Sparkify.Warehouse.Reports;

/// <summary>
/// The answers the warehouse exists for, over the plays of a period (<see cref="ReportPeriod"/>). Every list is in the
/// order it is meant to be read; shares are fractions (0-1) and are 0, never NaN, when there is nothing to share.
/// </summary>
public sealed record WarehouseReport(
    ReportPeriod Period,
    DateTimeOffset GeneratedAt,
    ReportTotals Totals,
    IReadOnlyList<DayActivity> PlaysPerDay,
    IReadOnlyList<HourActivity> Hours,
    IReadOnlyList<WeekdayActivity> Weekdays,
    IReadOnlyList<HourOfWeekday> HourByWeekday,
    IReadOnlyList<TopSong> TopSongs,
    IReadOnlyList<TopArtist> TopArtists,
    IReadOnlyList<LevelShare> Levels,
    IReadOnlyList<LevelSwitch> LevelSwitches,
    SessionStats Sessions,
    IReadOnlyList<SessionSize> SessionSizes,
    IReadOnlyList<LocationActivity> TopLocations,
    IReadOnlyList<NamedShare> Browsers,
    IReadOnlyList<NamedShare> OperatingSystems,
    CatalogCoverage Catalog)
{
    public bool IsEmpty => Totals.Plays == 0;

    /// <summary>The hours with plays, busiest first; ties go to the earlier hour. (A method: not part of the JSON.)</summary>
    public IEnumerable<HourActivity> BusiestHours() => Hours.Where(h => h.Plays > 0).OrderByDescending(h => h.Plays).ThenBy(h => h.Hour);

    /// <summary>The hour with the most plays (null without plays).</summary>
    public HourActivity? BusiestHour => BusiestHours().FirstOrDefault();

    public WeekdayActivity? BusiestWeekday => Weekdays.Where(d => d.Plays > 0).OrderByDescending(d => d.Plays).ThenBy(d => d.Weekday).FirstOrDefault();

    public double PaidPlayShare => Levels.FirstOrDefault(l => l.Level == "paid")?.PlayShare ?? 0;
}

/// <summary>The period reported, by UTC date, both ends included; null: unbounded.</summary>
public sealed record ReportPeriod(DateOnly? From, DateOnly? To)
{
    public static readonly ReportPeriod All = new(null, null);

    public DateTime? StartUtc => From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>Exclusive end: the day after <see cref="To"/>.</summary>
    public DateTime? EndUtc => To?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    public override string ToString() => (From, To) switch
    {
        (null, null) => "all plays",
        ({ } from, null) => $"from {from:yyyy-MM-dd}",
        (null, { } to) => $"up to {to:yyyy-MM-dd}",
        ({ } from, { } to) => $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}",
    };
}

public sealed record ReportTotals(long Plays, long ActiveUsers, long Sessions, long Songs, long Artists);

public sealed record DayActivity(DateOnly Day, long Plays, long ActiveUsers);

public sealed record HourActivity(int Hour, long Plays);

/// <param name="Weekday">Monday = 0 … Sunday = 6, as in <c>time.weekday</c>.</param>
public sealed record WeekdayActivity(int Weekday, string Name, long Plays);

public sealed record HourOfWeekday(int Weekday, int Hour, long Plays);

public sealed record TopSong(string SongId, string Title, string Artist, long Plays);

public sealed record TopArtist(string ArtistId, string Name, long Plays);

/// <param name="PlayShare">This level's share of the plays.</param>
/// <param name="UserShare">This level's share of the active users (a user who switched counts for both levels).</param>
public sealed record LevelShare(string Level, long Plays, double PlayShare, long ActiveUsers, double UserShare);

/// <summary>A user whose level changed between two consecutive plays in the period (free → paid is an upgrade).</summary>
public sealed record LevelSwitch(long UserId, string? FirstName, string? LastName, string From, string To, DateTimeOffset At)
{
    public bool IsUpgrade => From == "free" && To == "paid";
}

/// <param name="Count">Sessions (user, session) with at least one play in the period.</param>
/// <param name="PlaysMedian">Median plays per session (linear interpolation).</param>
/// <param name="LengthMinutesMedian">Median minutes from a session's first play to its last.</param>
public sealed record SessionStats(long Count, double PlaysMedian, double PlaysP90, double LengthMinutesMedian, double LengthMinutesP90);

/// <summary>How many sessions had this many plays (<paramref name="Plays"/>: "1", "2-5", … "101+").</summary>
public sealed record SessionSize(string Plays, long Sessions);

/// <param name="Location">The metro area as logged.</param>
public sealed record LocationActivity(string Location, long Plays, long ActiveUsers);

public sealed record NamedShare(string Name, long Plays, double Share);

/// <param name="MatchedShare">Share of plays matched to a song of the catalog.</param>
/// <param name="TopUnmatched">The most played (song, artist) pairs the catalog lacks: the songs it should add.</param>
public sealed record CatalogCoverage(long MatchedPlays, long UnmatchedPlays, double MatchedShare, IReadOnlyList<UnmatchedSong> TopUnmatched);

public sealed record UnmatchedSong(string Song, string Artist, long Plays);
