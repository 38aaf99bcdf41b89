namespace Sparkify.DevTools.DemoData;

/// <summary>An artist of <c>song_data</c>; coordinates are in hundred-thousandths of a degree.</summary>
internal sealed record CatalogArtist(string ArtistId, string Name, string Location, long? Latitude, long? Longitude);

/// <summary>One song file; <see cref="Duration"/> is in hundred-thousandths of a second.</summary>
internal sealed record CatalogSong(string TrackId, string SongId, string Title, CatalogArtist Artist, long Duration, int Year);

/// <summary>
/// The generated songs, plus "outside" songs the logs also play: their titles and artist names appear nowhere in
/// the catalog, like the many plays in the real logs that match no song file.
/// </summary>
internal sealed class SongCatalog
{
    private const double NullCoordinatesShare = 0.55;
    private const double EmptyLocationShare = 0.40;
    private const double UnknownYearShare = 0.60;

    private SongCatalog(IReadOnlyList<CatalogSong> songs, IReadOnlyList<PlayableSong> outsideSongs)
    {
        Songs = songs;
        OutsideSongs = outsideSongs;
    }

    public IReadOnlyList<CatalogSong> Songs { get; }

    public IReadOnlyList<PlayableSong> OutsideSongs { get; }

    public static SongCatalog Create(int songCount, int seed)
    {
        var random = new Random(RandomExtensions.DeriveSeed(seed, 1));
        var ids = new SyntheticIds(random);
        // Fewer artists than songs: the first songs give every artist one, the rest go to random artists.
        var artistCount = Math.Max(1, songCount - Math.Max(1, songCount * 3 / 100));
        var artists = new CatalogArtist[artistCount];
        for (var i = 0; i < artistCount; i++)
        {
            artists[i] = CreateArtist(random, ids);
        }
        var songs = new CatalogSong[songCount];
        for (var i = 0; i < songCount; i++)
        {
            var artist = i < artistCount ? artists[i] : artists[random.Next(artistCount)];
            var year = random.Chance(UnknownYearShare) ? 0 : 1960 + random.Next(51);
            songs[i] = new CatalogSong(
                ids.Next("TR"), ids.Next("SO"), SyntheticNames.SongTitle(random), artist, RandomDuration(random), year);
        }
        return new SongCatalog(songs, CreateOutsideSongs(songs, seed));
    }

    /// <summary>30 to 600 seconds with a non-zero fifth decimal, so the shortest float text has all five decimals.</summary>
    public static long RandomDuration(Random random) => WithNonZeroLastDigit(3_000_000 + random.NextInt64(57_000_000));

    private static CatalogArtist CreateArtist(Random random, SyntheticIds ids)
    {
        var place = random.Pick(Vocabulary.ArtistPlaces);
        var location = random.Chance(EmptyLocationShare) ? "" : place.Name;
        long? latitude = null;
        long? longitude = null;
        if (!random.Chance(NullCoordinatesShare))
        {
            latitude = WithNonZeroLastDigit(place.Latitude + random.Next(-20_000, 20_000));
            longitude = WithNonZeroLastDigit(place.Longitude + random.Next(-20_000, 20_000));
        }
        return new CatalogArtist(ids.Next("AR"), SyntheticNames.ArtistName(random), location, latitude, longitude);
    }

    private static IReadOnlyList<PlayableSong> CreateOutsideSongs(IReadOnlyList<CatalogSong> songs, int seed)
    {
        var random = new Random(RandomExtensions.DeriveSeed(seed, 2));
        var titles = songs.Select(song => song.Title).ToHashSet(StringComparer.Ordinal);
        var artistNames = songs.Select(song => song.Artist.Name).ToHashSet(StringComparer.Ordinal);
        var count = Math.Clamp(songs.Count, 200, 20_000);
        var outside = new PlayableSong[count];
        for (var i = 0; i < count; i++)
        {
            outside[i] = new PlayableSong(
                SyntheticNames.Avoiding(titles, random, SyntheticNames.SongTitle),
                SyntheticNames.Avoiding(artistNames, random, SyntheticNames.ArtistName),
                RandomDuration(random));
        }
        return outside;
    }

    private static long WithNonZeroLastDigit(long value) => value % 10 == 0 ? value + 1 : value;
}
