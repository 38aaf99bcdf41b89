namespace Sparkify.DevTools.DemoData;

/// <summary>A song as the logs name it, with its JSON values encoded once because plays repeat them many times.</summary>
internal sealed class PlayableSong
{
    public PlayableSong(string title, string artist, long duration)
    {
        Title = title;
        Artist = artist;
        Duration = duration;
        TitleJson = AsciiJsonBuilder.QuotedString(title, escapeSlashes: true);
        ArtistJson = AsciiJsonBuilder.QuotedString(artist, escapeSlashes: true);
        var length = new AsciiJsonBuilder(16);
        length.AppendFiveDecimals(duration);
        LengthJson = length.ToArray();
    }

    public string Title { get; }

    public string Artist { get; }

    /// <summary>Hundred-thousandths of a second.</summary>
    public long Duration { get; }

    public byte[] TitleJson { get; }

    public byte[] ArtistJson { get; }

    public byte[] LengthJson { get; }

    public static PlayableSong From(CatalogSong song) => new(song.Title, song.Artist.Name, song.Duration);
}
