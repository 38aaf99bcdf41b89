namespace Sparkify.DevTools.DemoData;

/// <summary>Song titles and artist names assembled from <see cref="Vocabulary"/>.</summary>
internal static class SyntheticNames
{
    private static readonly string[] Ensembles = ["Trio", "Quartet", "Band", "Orchestra", "Project", "Collective", "Experience", "Ensemble"];

    public static string SongTitle(Random random)
    {
        var roll = random.Next(100);
        var title = roll switch
        {
            < 25 => $"{random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)}",
            < 40 => $"{random.Pick(Vocabulary.TitleNouns)} in the {random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)}",
            < 55 => random.Pick(Vocabulary.TitlePhrases),
            < 70 => $"{random.Pick(Vocabulary.TitlePhrases)} ({random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)})",
            < 85 => $"{random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)} {random.Pick(Vocabulary.TitleNouns)}",
            < 97 => $"The {random.Pick(Vocabulary.TitleNouns)} of {random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)}",
            _ => $"Theme From \"{random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)}\"",
        };
        return random.Chance(0.12) ? title + random.Pick(Vocabulary.TitleSuffixes) : title;
    }

    public static string ArtistName(Random random) => random.Next(100) switch
    {
        < 20 => $"{random.Pick(Vocabulary.ArtistFirstNames)} {random.Pick(Vocabulary.ArtistLastNames)}",
        < 35 => $"{random.Pick(Vocabulary.ArtistFirstNames)} {(char)('A' + random.Next(26))}. {random.Pick(Vocabulary.ArtistLastNames)}",
        < 45 => $"The {random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.BandNouns)}",
        < 48 => random.Pick(Vocabulary.ArtistSingleNames),
        < 63 => $"{random.Pick(Vocabulary.ArtistFirstNames)} {random.Pick(Vocabulary.ArtistLastNames)} & The {random.Pick(Vocabulary.BandNouns)}",
        < 70 => $"{random.Pick(Vocabulary.ArtistLastNames)} {random.Pick(Ensembles)}",
        < 80 => $"{random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)}",
        _ => $"The {random.Pick(Vocabulary.TitleAdjectives)} {random.Pick(Vocabulary.TitleNouns)} {random.Pick(Vocabulary.BandNouns)}",
    };

    /// <summary>
    /// A name from <paramref name="make"/> that is not in <paramref name="taken"/>. Once the word lists are
    /// exhausted (huge catalogs) a number is appended, so this always ends.
    /// </summary>
    public static string Avoiding(IReadOnlySet<string> taken, Random random, Func<Random, string> make)
    {
        const int Attempts = 16;
        var candidate = make(random);
        for (var attempt = 1; attempt < Attempts && taken.Contains(candidate); attempt++)
        {
            candidate = make(random);
        }
        var numbered = candidate;
        for (var number = 2; taken.Contains(numbered); number++)
        {
            numbered = $"{candidate} {number}";
        }
        return numbered;
    }
}
