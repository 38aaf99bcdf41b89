namespace Sparkify.DevTools.DemoData;

/// <summary>
/// Writes one day of planned events as newline-delimited JSON in the real log's exact shape: 18 keys in a fixed
/// order, no spaces, <c>\/</c>-escaped slashes, LF between lines and no newline after the last one.
/// </summary>
internal sealed class LogFileWriter(IReadOnlyList<Listener> listeners, IReadOnlyList<PlayableSong> songs)
{
    private const int FlushThreshold = 1 << 20;

    public static string RelativePathOf(DateOnly day) =>
        Path.Combine("log_data", day.ToString("yyyy"), day.ToString("MM"), $"{day:yyyy-MM-dd}-events.json");

    /// <returns>Bytes written and the number of NextSong events.</returns>
    public (long Bytes, long NextSongEvents) Write(string path, PlannedEvent[] events, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        var json = new AsciiJsonBuilder(FlushThreshold + 4096);
        long bytes = 0;
        long plays = 0;
        for (var i = 0; i < events.Length; i++)
        {
            if (i > 0)
            {
                json.Append((byte)'\n');
            }
            Encode(events[i], json);
            if (events[i].Page == LogPage.NextSong)
            {
                plays++;
            }
            if (json.Length >= FlushThreshold)
            {
                cancellationToken.ThrowIfCancellationRequested();
                file.Write(json.Written);
                bytes += json.Length;
                json.Clear();
            }
        }
        file.Write(json.Written);
        bytes += json.Length;
        return (bytes, plays);
    }

    public void Encode(in PlannedEvent planned, AsciiJsonBuilder json)
    {
        var listener = listeners[planned.ListenerIndex];
        var song = planned.SongIndex >= 0 ? songs[planned.SongIndex] : null;
        var loggedIn = planned.LoggedIn;

        json.Append("{\"artist\":"u8);
        AppendOrNull(json, song?.ArtistJson);
        json.Append(loggedIn ? ",\"auth\":\"Logged In\",\"firstName\":"u8 : ",\"auth\":\"Logged Out\",\"firstName\":"u8);
        AppendOrNull(json, loggedIn ? listener.FirstNameJson : null);
        json.Append(",\"gender\":"u8);
        AppendOrNull(json, loggedIn ? listener.GenderJson : null);
        json.Append(",\"itemInSession\":"u8);
        json.AppendInteger(planned.ItemInSession);
        json.Append(",\"lastName\":"u8);
        AppendOrNull(json, loggedIn ? listener.LastNameJson : null);
        json.Append(",\"length\":"u8);
        AppendOrNull(json, song?.LengthJson);
        json.Append(listener.IsPaidAt(planned.Ts) ? ",\"level\":\"paid\",\"location\":"u8 : ",\"level\":\"free\",\"location\":"u8);
        AppendOrNull(json, loggedIn ? listener.LocationJson : null);
        json.Append((byte)',');
        json.Append(LogPages.MethodAndPageJson(planned.Page));
        json.Append("\"registration\":"u8);
        if (loggedIn)
        {
            json.AppendInteger(listener.RegistrationTs);
            json.Append(".0"u8);
        }
        else
        {
            json.Append("null"u8);
        }
        json.Append(",\"sessionId\":"u8);
        json.AppendInteger(planned.SessionId);
        json.Append(",\"song\":"u8);
        AppendOrNull(json, song?.TitleJson);
        json.Append((byte)',');
        json.Append(LogPages.StatusJson(planned.Page));
        json.Append("\"ts\":"u8);
        json.AppendInteger(planned.Ts);
        json.Append(",\"userAgent\":"u8);
        AppendOrNull(json, loggedIn ? listener.UserAgentJson : null);
        json.Append(",\"userId\":"u8);
        json.Append(loggedIn ? listener.UserIdJson : "\"\""u8);
        json.Append((byte)'}');
    }

    private static void AppendOrNull(AsciiJsonBuilder json, byte[]? quotedValue) =>
        json.Append(quotedValue is null ? "null"u8 : quotedValue);
}
