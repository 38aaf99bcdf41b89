namespace Sparkify.DevTools.DemoData;

/// <summary>
/// Writes one <c>song_data/A/B/C/TRABC….json</c> file per song, byte for byte like the Million Song Dataset's
/// Python <c>json.dumps</c> output: one line, <c>", "</c> and <c>": "</c> separators, no final newline.
/// </summary>
internal static class SongFileWriter
{
    public static Task<long> WriteAllAsync(string songRoot, IReadOnlyList<CatalogSong> songs, CancellationToken cancellationToken) =>
        Task.Run(() => WriteAll(songRoot, songs, cancellationToken), cancellationToken);

    public static string RelativePathOf(CatalogSong song) =>
        Path.Combine(song.TrackId[2..3], song.TrackId[3..4], song.TrackId[4..5], song.TrackId + ".json");

    public static void Encode(CatalogSong song, AsciiJsonBuilder json)
    {
        var artist = song.Artist;
        json.Append("{\"num_songs\": 1, \"artist_id\": "u8);
        json.AppendString(artist.ArtistId, escapeSlashes: false);
        json.Append(", \"artist_latitude\": "u8);
        AppendCoordinate(json, artist.Latitude);
        json.Append(", \"artist_longitude\": "u8);
        AppendCoordinate(json, artist.Longitude);
        json.Append(", \"artist_location\": "u8);
        json.AppendString(artist.Location, escapeSlashes: false);
        json.Append(", \"artist_name\": "u8);
        json.AppendString(artist.Name, escapeSlashes: false);
        json.Append(", \"song_id\": "u8);
        json.AppendString(song.SongId, escapeSlashes: false);
        json.Append(", \"title\": "u8);
        json.AppendString(song.Title, escapeSlashes: false);
        json.Append(", \"duration\": "u8);
        json.AppendFiveDecimals(song.Duration);
        json.Append(", \"year\": "u8);
        json.AppendInteger(song.Year);
        json.Append((byte)'}');
    }

    private static long WriteAll(string songRoot, IReadOnlyList<CatalogSong> songs, CancellationToken cancellationToken)
    {
        var paths = songs.Select(song => Path.Combine(songRoot, RelativePathOf(song))).ToArray();
        foreach (var folder in paths.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            Directory.CreateDirectory(folder!);
        }

        long bytes = 0;
        var parallelOptions = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, songs.Count, parallelOptions, () => new AsciiJsonBuilder(512), (index, _, json) =>
        {
            json.Clear();
            Encode(songs[index], json);
            WriteNewFile(paths[index], json.Written);
            Interlocked.Add(ref bytes, json.Length);
            return json;
        }, _ => { });
        return bytes;
    }

    // A bare handle and one positional write: the least work per file, which matters over 100k small files.
    private static void WriteNewFile(string path, ReadOnlySpan<byte> content)
    {
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.Write(handle, content, fileOffset: 0);
    }

    private static void AppendCoordinate(AsciiJsonBuilder json, long? hundredThousandths)
    {
        if (hundredThousandths is { } value)
        {
            json.AppendFiveDecimals(value);
        }
        else
        {
            json.Append("null"u8);
        }
    }
}
