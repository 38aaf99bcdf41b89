using System.Text.Json;

namespace Sparkify.Warehouse.Parsing;

/// <summary>Parses one song object of <c>song_data</c> into a <see cref="StagedSong"/>.</summary>
public static class SongRecordParser
{
    private enum Field
    {
        NumSongs, ArtistId, ArtistLatitude, ArtistLongitude, ArtistLocation, ArtistName, SongId, Title, Duration, Year,
    }

    private static readonly JsonFieldSet<Field> Fields = new(JsonNamingPolicy.SnakeCaseLower);

    public static bool TryParse(ReadOnlySpan<byte> json, out StagedSong row, out RecordError error)
    {
        row = new StagedSong();
        if (!RecordObject.TryReadFields(json, Fields, row, ReadField, out error))
        {
            return false;
        }
        if (string.IsNullOrWhiteSpace(row.SongId))
        {
            error = new RecordError("song_id", "required field is missing, null or empty");
            return false;
        }
        if (string.IsNullOrWhiteSpace(row.ArtistId))
        {
            error = new RecordError("artist_id", "required field is missing, null or empty");
            return false;
        }
        if (row.SongId.Length > MaxIdentifierLength || row.ArtistId.Length > MaxIdentifierLength)
        {
            var (column, length) = row.SongId.Length > MaxIdentifierLength ? ("song_id", row.SongId.Length) : ("artist_id", row.ArtistId.Length);
            error = new RecordError(column, $"an identifier of {length:N0} characters; identifiers are at most {MaxIdentifierLength} (the Million Song Dataset's are 18)");
            return false;
        }
        return true;
    }

    /// <summary>
    /// song_id and artist_id key the songs and artists tables: a key longer than this is not an id but damage, and
    /// would not fit a key index. Free text (titles, names, places) has no limit.
    /// </summary>
    public const int MaxIdentifierLength = 256;

    private static bool ReadField(ref Utf8JsonReader reader, Field field, StagedSong row, out string? problem)
    {
        bool ok;
        switch (field)
        {
            case Field.NumSongs: ok = JsonCoercion.TryReadInt32(ref reader, out var numSongs, out problem); row.NumSongs = numSongs; break;
            case Field.ArtistId: ok = JsonCoercion.TryReadText(ref reader, out var artistId, out problem); row.ArtistId = artistId ?? ""; break;
            case Field.ArtistLatitude: ok = JsonCoercion.TryReadDouble(ref reader, out var latitude, out problem); row.ArtistLatitude = latitude; break;
            case Field.ArtistLongitude: ok = JsonCoercion.TryReadDouble(ref reader, out var longitude, out problem); row.ArtistLongitude = longitude; break;
            case Field.ArtistLocation: ok = JsonCoercion.TryReadText(ref reader, out var location, out problem); row.ArtistLocation = location; break;
            case Field.ArtistName: ok = JsonCoercion.TryReadText(ref reader, out var name, out problem); row.ArtistName = name; break;
            case Field.SongId: ok = JsonCoercion.TryReadText(ref reader, out var songId, out problem); row.SongId = songId ?? ""; break;
            case Field.Title: ok = JsonCoercion.TryReadText(ref reader, out var title, out problem); row.Title = title; break;
            case Field.Duration: ok = JsonCoercion.TryReadDouble(ref reader, out var duration, out problem); row.Duration = duration; break;
            case Field.Year: ok = JsonCoercion.TryReadInt32(ref reader, out var year, out problem); row.Year = year; break;
            default: throw new InvalidOperationException($"Unhandled song field {field}.");
        }
        return ok;
    }
}
