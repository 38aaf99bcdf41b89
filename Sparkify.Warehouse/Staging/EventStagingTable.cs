using System.Diagnostics;
using System.Text.Json;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

internal sealed class EventStagingTable : IStagingTable
{
    public static readonly EventStagingTable Instance = new();

    public string CopyCommand =>
        "COPY staging_events (file_id, line_number, artist, auth, first_name, gender, item_in_session, last_name, length, " +
        "level, location, method, page, registration, session_id, song, status, ts, user_agent, user_id, repaired_from) FROM STDIN (FORMAT BINARY)";

    public IRecordFramer CreateFramer(Stream stream, int maxRecordBytes) => new NdjsonFramer(stream, maxRecordBytes);

    public bool TryStage(BinaryCopyWriter copy, long fileId, long lineNumber, ReadOnlySpan<byte> json, out RecordError error, out long parsedAt)
    {
        var parsed = EventRecordParser.TryParse(json, out var e, out error);
        parsedAt = Stopwatch.GetTimestamp();
        if (!parsed)
        {
            return false;
        }
        // Text encoded as UTF-8 more than once is repaired (DoubleEncodedText); the raw values go to repaired_from.
        Dictionary<string, string>? raw = null;
        copy.StartRow(21);
        copy.Write(fileId);
        copy.Write((int)lineNumber);
        copy.WriteText(Repaired(e.Artist, "artist", ref raw));
        copy.WriteText(Repaired(e.Auth, "auth", ref raw));
        copy.WriteText(Repaired(e.FirstName, "first_name", ref raw));
        copy.WriteText(Repaired(e.Gender, "gender", ref raw));
        copy.Write(e.ItemInSession);
        copy.WriteText(Repaired(e.LastName, "last_name", ref raw));
        copy.Write(e.Length);
        copy.WriteText(Repaired(e.Level, "level", ref raw));
        copy.WriteText(Repaired(e.Location, "location", ref raw));
        copy.WriteText(Repaired(e.Method, "method", ref raw));
        copy.Write(Repaired(e.Page, "page", ref raw)!);
        copy.Write(e.Registration);
        copy.Write(e.SessionId);
        copy.WriteText(Repaired(e.Song, "song", ref raw));
        copy.Write(e.Status);
        copy.WriteTimestamp(e.Ts);
        copy.WriteText(Repaired(e.UserAgent, "user_agent", ref raw));
        copy.Write(e.UserId);
        if (raw is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.WriteJsonb(JsonSerializer.SerializeToUtf8Bytes(raw));
        }
        return true;
    }

    /// <summary>The value repaired when it was encoded more than once (its raw value then kept in <paramref name="raw"/>), else as it is.</summary>
    private static string? Repaired(string? value, string column, ref Dictionary<string, string>? raw)
    {
        if (DoubleEncodedText.TryRepair(value) is not { } repaired)
        {
            return value;
        }
        (raw ??= new Dictionary<string, string>(StringComparer.Ordinal))[column] = value!;
        return repaired;
    }
}
