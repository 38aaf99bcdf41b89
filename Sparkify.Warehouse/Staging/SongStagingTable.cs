using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

internal sealed class SongStagingTable : IStagingTable
{
    public static readonly SongStagingTable Instance = new();

    public string CopyCommand =>
        "COPY staging_songs (file_id, line_number, num_songs, artist_id, artist_latitude, artist_longitude, " +
        "artist_location, artist_name, song_id, title, duration, year) FROM STDIN (FORMAT BINARY)";

    public IRecordFramer CreateFramer(Stream stream, int maxRecordBytes) => new JsonValueFramer(stream, maxRecordBytes);

    public bool TryStage(NpgsqlBinaryImporter importer, long fileId, long lineNumber, ReadOnlySpan<byte> json, out RecordError error, out long parsedAt)
    {
        var parsed = SongRecordParser.TryParse(json, out var s, out error);
        parsedAt = Stopwatch.GetTimestamp();
        if (!parsed)
        {
            return false;
        }
        importer.StartRow();
        importer.Write(fileId, NpgsqlDbType.Bigint);
        importer.Write((int)lineNumber, NpgsqlDbType.Integer);
        importer.WriteNullable(s.NumSongs, NpgsqlDbType.Integer);
        importer.Write(s.ArtistId, NpgsqlDbType.Text);
        importer.WriteNullable(s.ArtistLatitude, NpgsqlDbType.Double);
        importer.WriteNullable(s.ArtistLongitude, NpgsqlDbType.Double);
        importer.WriteNullable(s.ArtistLocation);
        importer.WriteNullable(s.ArtistName);
        importer.Write(s.SongId, NpgsqlDbType.Text);
        importer.WriteNullable(s.Title);
        importer.WriteNullable(s.Duration, NpgsqlDbType.Double);
        importer.WriteNullable(s.Year, NpgsqlDbType.Integer);
        return true;
    }
}
