namespace Sparkify.DevTools.DemoData;

internal static class ListenerFactory
{
    private const double StartsPaidShare = 0.2;
    private const double LevelSwitchShare = 0.08;
    private const long MaxRegistrationAgeMs = 180L * 24 * 3600 * 1000;

    /// <summary>
    /// <paramref name="count"/> users with ids 1..count. Exactly round(8%) of them change level once, at a random
    /// moment of [<paramref name="periodStartTs"/>, <paramref name="periodEndTs"/>); everyone registered before the period.
    /// </summary>
    public static Listener[] Create(int count, int seed, long periodStartTs, long periodEndTs)
    {
        var random = new Random(RandomExtensions.DeriveSeed(seed, 3));
        var switchers = new HashSet<int>(Shuffled(count, random).Take((int)Math.Round(count * LevelSwitchShare)));
        var listeners = new Listener[count];
        for (var i = 0; i < count; i++)
        {
            var female = random.Chance(0.5);
            var firstName = random.Pick(female ? Vocabulary.ListenerFemaleNames : Vocabulary.ListenerMaleNames);
            var registration = periodStartTs - 1 - random.NextInt64(MaxRegistrationAgeMs);
            var switchTs = switchers.Contains(i) ? periodStartTs + random.NextInt64(periodEndTs - periodStartTs) : long.MaxValue;
            listeners[i] = new Listener(
                i + 1, firstName, random.Pick(Vocabulary.ListenerLastNames), female ? "F" : "M",
                random.Pick(Vocabulary.ListenerLocations), random.Pick(Vocabulary.UserAgents),
                registration, random.Chance(StartsPaidShare), switchTs);
        }
        return listeners;
    }

    /// <summary>0..count-1 in a seeded random order (Fisher-Yates).</summary>
    public static int[] Shuffled(int count, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }
}
