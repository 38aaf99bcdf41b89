namespace Sparkify.Cli.Bench;

/// <summary>
/// Which arrivals' event messages the freshness bench does not post (lost events, which the reconciliation scan must
/// make up for): exactly round(share × count) of them, spread at random by the seed, the same for the same seed.
/// </summary>
public static class EventDrops
{
    public static IReadOnlySet<int> Choose(int count, double share, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(share is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The share must be between 0 and 1.");
        }
        var indexes = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(indexes);
        return indexes.Take((int)Math.Round(share * count, MidpointRounding.AwayFromZero)).ToHashSet();
    }
}
