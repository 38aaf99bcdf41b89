using System.Text.Json;

namespace Sparkify.Warehouse.Parsing;

/// <summary>Parses one event object (one line of <c>log_data</c>) into a <see cref="StagedEvent"/>.</summary>
public static class EventRecordParser
{
    /// <summary>Events outside this window are rejected as absurd timestamps.</summary>
    public static readonly DateTime EarliestEventTime = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime LatestEventTime = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private enum Field
    {
        Artist, Auth, FirstName, Gender, ItemInSession, LastName, Length, Level, Location, Method, Page,
        Registration, SessionId, Song, Status, Ts, UserAgent, UserId,
    }

    private static readonly JsonFieldSet<Field> Fields = new(JsonNamingPolicy.CamelCase);

    /// <summary>An event being read: the row, plus the raw <c>ts</c> before it is checked and converted.</summary>
    private sealed class Draft
    {
        public StagedEvent Row { get; } = new();
        public long? Ts { get; set; }
    }

    public static bool TryParse(ReadOnlySpan<byte> json, out StagedEvent row, out RecordError error)
    {
        var draft = new Draft();
        row = draft.Row;
        return RecordObject.TryReadFields(json, Fields, draft, ReadField, out error) && Validate(draft, out error);
    }

    private static bool ReadField(ref Utf8JsonReader reader, Field field, Draft draft, out string? problem)
    {
        var row = draft.Row;
        bool ok;
        switch (field)
        {
            case Field.Artist: ok = JsonCoercion.TryReadText(ref reader, out var artist, out problem); row.Artist = artist; break;
            case Field.Auth: ok = JsonCoercion.TryReadText(ref reader, out var auth, out problem); row.Auth = auth; break;
            case Field.FirstName: ok = JsonCoercion.TryReadText(ref reader, out var firstName, out problem); row.FirstName = firstName; break;
            case Field.Gender: ok = JsonCoercion.TryReadText(ref reader, out var gender, out problem); row.Gender = gender; break;
            case Field.ItemInSession: ok = JsonCoercion.TryReadInt32(ref reader, out var item, out problem); row.ItemInSession = item; break;
            case Field.LastName: ok = JsonCoercion.TryReadText(ref reader, out var lastName, out problem); row.LastName = lastName; break;
            case Field.Length: ok = JsonCoercion.TryReadDouble(ref reader, out var length, out problem); row.Length = length; break;
            case Field.Level: ok = JsonCoercion.TryReadText(ref reader, out var level, out problem); row.Level = level; break;
            case Field.Location: ok = JsonCoercion.TryReadText(ref reader, out var location, out problem); row.Location = location; break;
            case Field.Method: ok = JsonCoercion.TryReadText(ref reader, out var method, out problem); row.Method = method; break;
            case Field.Page: ok = JsonCoercion.TryReadText(ref reader, out var page, out problem); row.Page = page ?? ""; break;
            case Field.Registration: ok = JsonCoercion.TryReadDouble(ref reader, out var registration, out problem); row.Registration = registration; break;
            case Field.SessionId: ok = JsonCoercion.TryReadInt32(ref reader, out var session, out problem); row.SessionId = session; break;
            case Field.Song: ok = JsonCoercion.TryReadText(ref reader, out var song, out problem); row.Song = song; break;
            case Field.Status: ok = JsonCoercion.TryReadInt32(ref reader, out var status, out problem); row.Status = status; break;
            case Field.Ts: ok = JsonCoercion.TryReadInt64(ref reader, out var ts, out problem); draft.Ts = ts; break;
            case Field.UserAgent: ok = JsonCoercion.TryReadText(ref reader, out var userAgent, out problem); row.UserAgent = userAgent; break;
            case Field.UserId: ok = JsonCoercion.TryReadInt64(ref reader, out var userId, out problem); row.UserId = userId; break;
            default: throw new InvalidOperationException($"Unhandled event field {field}.");
        }
        return ok;
    }

    private static bool Validate(Draft draft, out RecordError error)
    {
        var row = draft.Row;
        error = default;
        if (draft.Ts is not { } ts)
        {
            error = new RecordError("ts", "required field is missing or null");
            return false;
        }
        if (!TryConvertEpochMilliseconds(ts, out var time))
        {
            error = new RecordError("ts",
                $"{ts} ms is not a plausible event time (allowed: {EarliestEventTime:yyyy-MM-dd} to {LatestEventTime:yyyy-MM-dd})");
            return false;
        }
        row.Ts = time;
        if (row.Page.Length == 0)
        {
            error = new RecordError("page", "required field is missing, null or empty");
            return false;
        }
        if (row.Page == "NextSong")
        {
            // A play must be attributable: songplays is keyed on (user, session, item in session).
            if (row.UserId is null)
            {
                error = new RecordError("userId", "a NextSong event needs a userId");
                return false;
            }
            if (row.SessionId is null)
            {
                error = new RecordError("sessionId", "a NextSong event needs a sessionId");
                return false;
            }
            if (row.ItemInSession is null)
            {
                error = new RecordError("itemInSession", "a NextSong event needs an itemInSession");
                return false;
            }
        }
        return true;
    }

    public static bool TryConvertEpochMilliseconds(long milliseconds, out DateTime utc)
    {
        utc = DateTime.UnixEpoch.AddTicks(Math.Clamp(milliseconds, -1L << 40, 1L << 42) * TimeSpan.TicksPerMillisecond);
        return utc >= EarliestEventTime && utc < LatestEventTime;
    }
}
