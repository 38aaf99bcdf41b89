using System.Runtime.InteropServices;

namespace Sparkify.DevTools.DemoData;

/// <summary>
/// One log event before it is written. <see cref="SongIndex"/> points into the playable songs (catalog first, then
/// outside songs) and is -1 unless the page is NextSong.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct PlannedEvent(
    long Ts, int SessionId, int ItemInSession, int ListenerIndex, int SongIndex, LogPage Page, bool LoggedIn)
    : IComparable<PlannedEvent>
{
    // (sessionId, itemInSession) is unique, so this order is total and any sort gives the same bytes.
    public int CompareTo(PlannedEvent other)
    {
        var byTs = Ts.CompareTo(other.Ts);
        if (byTs != 0)
        {
            return byTs;
        }
        var bySession = SessionId.CompareTo(other.SessionId);
        return bySession != 0 ? bySession : ItemInSession.CompareTo(other.ItemInSession);
    }
}
