using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

internal sealed class EventStagingTable : IStagingTable
{
    public static readonly EventStagingTable Instance = new();

    public string CopyCommand =>
        "COPY staging_events (file_id, line_number, artist, auth, first_name, gender, item_in_session, last_name, length, " +
        "level, location, method, page, registration, session_id, song, status, ts, user_agent, user_id) FROM STDIN (FORMAT BINARY)";

    public IRecordFramer CreateFramer(Stream stream, int maxRecordBytes) => new NdjsonFramer(stream, maxRecordBytes);

    public bool TryStage(NpgsqlBinaryImporter importer, long fileId, long lineNumber, ReadOnlySpan<byte> json, out RecordError error, out long parsedAt)
    {
        var parsed = EventRecordParser.TryParse(json, out var e, out error);
        parsedAt = Stopwatch.GetTimestamp();
        if (!parsed)
        {
            return false;
        }
        importer.StartRow();
        importer.Write(fileId, NpgsqlDbType.Bigint);
        importer.Write((int)lineNumber, NpgsqlDbType.Integer);
        importer.WriteNullable(e.Artist);
        importer.WriteNullable(e.Auth);
        importer.WriteNullable(e.FirstName);
        importer.WriteNullable(e.Gender);
        importer.WriteNullable(e.ItemInSession, NpgsqlDbType.Integer);
        importer.WriteNullable(e.LastName);
        importer.WriteNullable(e.Length, NpgsqlDbType.Double);
        importer.WriteNullable(e.Level);
        importer.WriteNullable(e.Location);
        importer.WriteNullable(e.Method);
        importer.Write(e.Page, NpgsqlDbType.Text);
        importer.WriteNullable(e.Registration, NpgsqlDbType.Double);
        importer.WriteNullable(e.SessionId, NpgsqlDbType.Integer);
        importer.WriteNullable(e.Song);
        importer.WriteNullable(e.Status, NpgsqlDbType.Integer);
        importer.Write(e.Ts, NpgsqlDbType.TimestampTz);
        importer.WriteNullable(e.UserAgent);
        importer.WriteNullable(e.UserId, NpgsqlDbType.Bigint);
        return true;
    }
}
