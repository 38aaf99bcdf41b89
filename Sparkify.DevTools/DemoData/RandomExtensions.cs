namespace Sparkify.DevTools.DemoData;

internal static class RandomExtensions
{
    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>An index in [0, count) favouring low indexes, so a few songs and users dominate like in real logs.</summary>
    public static int NextSkewed(this Random random, int count)
    {
        var u = random.NextDouble();
        return Math.Min(count - 1, (int)(count * u * u * u));
    }

    /// <summary>A seed for an independent stream derived from the user's seed (SplitMix64 finaliser).</summary>
    public static int DeriveSeed(int seed, int stream)
    {
        unchecked
        {
            var z = ((ulong)(uint)seed << 32 | (uint)stream) + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & int.MaxValue);
        }
    }
}
