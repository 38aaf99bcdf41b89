namespace Sparkify.DevTools.DemoData;

/// <summary>
/// Plans the events of each day as sessions: a session belongs to one user, numbers its items from 0, and may start
/// logged out (Home, maybe About/Help, then Login) or log out and back in midway. Days must be planned in order:
/// session ids and the user rotation carry over from one day to the next.
/// </summary>
internal sealed class EventPlanner
{
    private const long DayMs = 24L * 3600 * 1000;
    private const int MaxSessionLength = 59;
    private const double StartsLoggedOutShare = 0.2;
    private const double NextSongShareWhenLoggedIn = 0.885;

    // Pages other than NextSong a logged-in user visits, with weights from the real log's page counts.
    private static readonly (LogPage Page, int Weight)[] OtherPages =
    [
        (LogPage.Home, 300), (LogPage.Logout, 40), (LogPage.Downgrade, 50), (LogPage.Settings, 55),
        (LogPage.Help, 45), (LogPage.About, 25), (LogPage.Upgrade, 20), (LogPage.SaveSettings, 12),
        (LogPage.Error, 6), (LogPage.SubmitUpgrade, 5), (LogPage.SubmitDowngrade, 2),
    ];

    private static readonly int OtherPagesTotalWeight = OtherPages.Sum(page => page.Weight);

    private readonly Random _random;
    private readonly int _listenerCount;
    private readonly int[] _firstListeners;
    private readonly int _catalogSongCount;
    private readonly int _outsideSongCount;
    private readonly double _matchedPlayShare;
    private readonly IReadOnlyList<long> _songDurationsMs;
    private int _nextSessionId;
    private int _sessionsPlanned;

    /// <param name="songDurationsMs">Duration of every playable song: catalog songs first, then outside songs.</param>
    /// <param name="firstSessionId">The first session's id; the next ones count up from it.</param>
    public EventPlanner(
        int seed, int listenerCount, int catalogSongCount, IReadOnlyList<long> songDurationsMs, double matchedPlayShare, int firstSessionId = 1)
    {
        _nextSessionId = firstSessionId;
        _random = new Random(RandomExtensions.DeriveSeed(seed, 4));
        _listenerCount = listenerCount;
        _firstListeners = ListenerFactory.Shuffled(listenerCount, _random);
        _catalogSongCount = catalogSongCount;
        _outsideSongCount = songDurationsMs.Count - catalogSongCount;
        _songDurationsMs = songDurationsMs;
        _matchedPlayShare = matchedPlayShare;
    }

    /// <summary>How many of <paramref name="totalEvents"/> fall on each day: weekends a bit quieter, some noise.</summary>
    public static int[] SpreadOverDays(int totalEvents, DateOnly firstDay, int days, int seed)
    {
        var random = new Random(RandomExtensions.DeriveSeed(seed, 5));
        var cumulativeWeights = new double[days + 1];
        for (var day = 0; day < days; day++)
        {
            var weekend = firstDay.AddDays(day).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            cumulativeWeights[day + 1] = cumulativeWeights[day] + ((weekend ? 0.85 : 1.0) * (0.9 + (0.2 * random.NextDouble())));
        }
        var counts = new int[days];
        long assigned = 0;
        for (var day = 0; day < days; day++)
        {
            var upTo = day == days - 1 ? totalEvents : (long)(totalEvents * (cumulativeWeights[day + 1] / cumulativeWeights[days]));
            counts[day] = (int)(upTo - assigned);
            assigned = upTo;
        }
        return counts;
    }

    /// <summary>The day's events sorted by ts; every ts lies within [<paramref name="dayStartTs"/>, +24 h).</summary>
    public PlannedEvent[] PlanDay(long dayStartTs, int eventCount)
    {
        var events = new List<PlannedEvent>(eventCount);
        while (events.Count < eventCount)
        {
            var length = Math.Min(eventCount - events.Count, 1 + _random.Next(MaxSessionLength / 2) + _random.Next(MaxSessionLength / 2));
            PlanSession(events, dayStartTs, length);
        }
        var sorted = events.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private void PlanSession(List<PlannedEvent> events, long dayStartTs, int length)
    {
        var sessionId = _nextSessionId++;
        var listener = NextListener();
        var first = events.Count;
        var loggedIn = !_random.Chance(StartsLoggedOutShare);
        var loggedOutStep = 0;
        long offset = 0;
        long lastOffset = 0;
        for (var item = 0; item < length; item++)
        {
            var page = loggedIn ? NextLoggedInPage() : NextLoggedOutPage(loggedOutStep++);
            var songIndex = page == LogPage.NextSong ? NextSongIndex() : -1;
            events.Add(new PlannedEvent(offset, sessionId, item, listener, songIndex, page, loggedIn));
            lastOffset = offset;
            offset += songIndex >= 0 ? _songDurationsMs[songIndex] + _random.Next(2_000) : 1_000 + _random.Next(90_000);
            if (page == LogPage.Login)
            {
                loggedIn = true;
            }
            else if (page == LogPage.Logout)
            {
                loggedIn = false;
                loggedOutStep = 0;
            }
        }
        // The session is laid out from offset 0; shift it to a random start that keeps it within the day.
        var start = dayStartTs + _random.NextInt64(DayMs - lastOffset);
        for (var i = first; i < events.Count; i++)
        {
            events[i] = events[i] with { Ts = start + events[i].Ts };
        }
    }

    // The first sessions visit every user once, so all users appear whenever there are enough sessions.
    private int NextListener()
    {
        var session = _sessionsPlanned++;
        if (session < _listenerCount)
        {
            return _firstListeners[session];
        }
        return _random.Chance(0.5) ? _random.Next(_listenerCount) : _random.NextSkewed(_listenerCount);
    }

    private LogPage NextLoggedOutPage(int step) => step switch
    {
        0 => LogPage.Home,
        1 when _random.Chance(0.3) => _random.Chance(0.5) ? LogPage.About : LogPage.Help,
        _ => LogPage.Login,
    };

    private LogPage NextLoggedInPage()
    {
        if (_random.Chance(NextSongShareWhenLoggedIn))
        {
            return LogPage.NextSong;
        }
        var roll = _random.Next(OtherPagesTotalWeight);
        foreach (var (page, weight) in OtherPages)
        {
            if (roll < weight)
            {
                return page;
            }
            roll -= weight;
        }
        throw new InvalidOperationException("Page weights do not add up.");
    }

    private int NextSongIndex() => _outsideSongCount == 0 || _random.Chance(_matchedPlayShare)
        ? _random.NextSkewed(_catalogSongCount)
        : _catalogSongCount + _random.NextSkewed(_outsideSongCount);
}
