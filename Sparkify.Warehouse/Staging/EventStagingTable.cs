using System.Diagnostics;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

internal sealed class EventStagingTable : IStagingTable
{
    public static readonly EventStagingTable Instance = new();

    public string CopyCommand =>
        "COPY staging_events (file_id, line_number, artist, auth, first_name, gender, item_in_session, last_name, length, " +
        "level, location, method, page, registration, session_id, song, status, ts, user_agent, user_id) FROM STDIN (FORMAT BINARY)";

    public IRecordFramer CreateFramer(Stream stream, int maxRecordBytes) => new NdjsonFramer(stream, maxRecordBytes);

    public bool TryStage(BinaryCopyWriter copy, long fileId, long lineNumber, ReadOnlySpan<byte> json, out RecordError error, out long parsedAt)
    {
        var parsed = EventRecordParser.TryParse(json, out var e, out error);
        parsedAt = Stopwatch.GetTimestamp();
        if (!parsed)
        {
            return false;
        }
        copy.StartRow(20);
        copy.Write(fileId);
        copy.Write((int)lineNumber);
        copy.WriteText(e.Artist);
        copy.WriteText(e.Auth);
        copy.WriteText(e.FirstName);
        copy.WriteText(e.Gender);
        copy.Write(e.ItemInSession);
        copy.WriteText(e.LastName);
        copy.Write(e.Length);
        copy.WriteText(e.Level);
        copy.WriteText(e.Location);
        copy.WriteText(e.Method);
        copy.Write(e.Page);
        copy.Write(e.Registration);
        copy.Write(e.SessionId);
        copy.WriteText(e.Song);
        copy.Write(e.Status);
        copy.WriteTimestamp(e.Ts);
        copy.WriteText(e.UserAgent);
        copy.Write(e.UserId);
        return true;
    }
}
