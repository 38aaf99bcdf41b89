using System.Diagnostics;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

internal sealed class SongStagingTable : IStagingTable
{
    public static readonly SongStagingTable Instance = new();

    public string CopyCommand =>
        "COPY staging_songs (file_id, line_number, num_songs, artist_id, artist_latitude, artist_longitude, " +
        "artist_location, artist_name, song_id, title, duration, year) FROM STDIN (FORMAT BINARY)";

    public IRecordFramer CreateFramer(Stream stream, int maxRecordBytes) => new JsonValueFramer(stream, maxRecordBytes);

    public bool TryStage(BinaryCopyWriter copy, long fileId, long lineNumber, ReadOnlySpan<byte> json, out RecordError error, out long parsedAt)
    {
        var parsed = SongRecordParser.TryParse(json, out var s, out error);
        parsedAt = Stopwatch.GetTimestamp();
        if (!parsed)
        {
            return false;
        }
        copy.StartRow(12);
        copy.Write(fileId);
        copy.Write((int)lineNumber);
        copy.Write(s.NumSongs);
        copy.Write(s.ArtistId);
        copy.Write(s.ArtistLatitude);
        copy.Write(s.ArtistLongitude);
        copy.WriteText(s.ArtistLocation);
        copy.WriteText(s.ArtistName);
        copy.Write(s.SongId);
        copy.WriteText(s.Title);
        copy.Write(s.Duration);
        copy.Write(s.Year);
        return true;
    }
}
