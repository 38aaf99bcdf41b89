namespace Sparkify.Cli.Generate;

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
