namespace Sparkify.DevTools.DemoData;

/// <summary>What <see cref="DemoDataGenerator"/> writes. <see cref="StartDate"/> defaults to 2018-11-01.</summary>
public sealed record GeneratorOptions(
    int Songs,
    int Events,
    int Days = 30,
    int Users = 100,
    int Seed = 42,
    double MatchedPlayShare = 0.3,
    DateOnly? StartDate = null)
{
    internal static readonly DateOnly DefaultStartDate = new(2018, 11, 1);

    internal const int MaxDays = 366;

    internal DateOnly FirstDay => StartDate ?? DefaultStartDate;

    /// <summary>
    /// Session ids start at 1 on the default start date and 100,000 higher per day after it, so data generated for
    /// later days (one new day on top of a history, as the incremental bench does) does not reuse the history's
    /// session ids, as long as a day averages fewer than 100,000 sessions (about 1.5M events). Dates before the
    /// default wrap around within the int range.
    /// </summary>
    internal int FirstSessionId
    {
        get
        {
            const int sessionsPerDay = 100_000;
            const int days = int.MaxValue / sessionsPerDay - 1;
            var offset = ((FirstDay.DayNumber - DefaultStartDate.DayNumber) % days + days) % days;
            return 1 + offset * sessionsPerDay;
        }
    }

    internal void Validate()
    {
        if (Songs < 1)
        {
            throw new ArgumentException($"Songs must be at least 1 (got {Songs}).", nameof(Songs));
        }
        if (Events < 0)
        {
            throw new ArgumentException($"Events must not be negative (got {Events}).", nameof(Events));
        }
        if (Days is < 1 or > MaxDays)
        {
            throw new ArgumentException($"Days must be between 1 and {MaxDays} (got {Days}).", nameof(Days));
        }
        if (Users < 1)
        {
            throw new ArgumentException($"Users must be at least 1 (got {Users}).", nameof(Users));
        }
        if (!(MatchedPlayShare is >= 0 and <= 1))
        {
            throw new ArgumentException($"MatchedPlayShare must be between 0 and 1 (got {MatchedPlayShare}).", nameof(MatchedPlayShare));
        }
        if (FirstDay.Year is < 2000 or > 2099 || FirstDay.AddDays(Days - 1).Year > 2099)
        {
            throw new ArgumentException(
                $"StartDate {FirstDay:yyyy-MM-dd} plus {Days} days must stay within the years 2000 to 2099.", nameof(StartDate));
        }
    }
}
