namespace Sparkify.DevTools.DemoData;

/// <summary>
/// Writes synthetic <c>song_data/</c> and <c>log_data/</c> files with the real Sparkify data's layout, formatting and
/// quirks. The same options always produce byte-identical files.
/// </summary>
public static class DemoDataGenerator
{
    private static readonly int MaxDaysInFlight = Math.Max(2, Environment.ProcessorCount);

    public static async Task<GeneratorSummary> WriteAsync(string folder, GeneratorOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var root = Path.GetFullPath(folder);
        foreach (var dataFolder in new[] { "song_data", "log_data" })
        {
            if (Path.Exists(Path.Combine(root, dataFolder)))
            {
                throw new InvalidOperationException(
                    $"The folder {root} already holds data ({dataFolder}/); generate into an empty or new folder instead of mixing data sets.");
            }
        }
        Directory.CreateDirectory(root);

        var catalog = SongCatalog.Create(options.Songs, options.Seed);
        var songBytes = await SongFileWriter.WriteAllAsync(Path.Combine(root, "song_data"), catalog.Songs, ct);
        var (logFiles, events, plays, logBytes) = await WriteLogsAsync(root, options, catalog, ct);
        return new GeneratorSummary(catalog.Songs.Count, logFiles, events, plays, songBytes + logBytes);
    }

    /// <summary>
    /// Plans the days in order on this thread while earlier days are encoded and written on the thread pool, so
    /// only the days in flight are held in memory.
    /// </summary>
    private static async Task<(int Files, long Events, long Plays, long Bytes)> WriteLogsAsync(
        string root, GeneratorOptions options, SongCatalog catalog, CancellationToken ct)
    {
        var firstDay = options.FirstDay;
        var periodStartTs = TimestampOf(firstDay);
        var listeners = ListenerFactory.Create(options.Users, options.Seed, periodStartTs, TimestampOf(firstDay.AddDays(options.Days)));
        var playable = catalog.Songs.Select(PlayableSong.From).Concat(catalog.OutsideSongs).ToArray();
        var planner = new EventPlanner(
            options.Seed, listeners.Length, catalog.Songs.Count, playable.Select(song => song.Duration / 100).ToArray(), options.MatchedPlayShare,
            options.FirstSessionId);
        var writer = new LogFileWriter(listeners, playable);
        var eventsPerDay = EventPlanner.SpreadOverDays(options.Events, firstDay, options.Days, options.Seed);

        var inFlight = new Queue<Task<(long Bytes, long Plays)>>();
        var files = 0;
        long plays = 0;
        long bytes = 0;
        try
        {
            for (var day = 0; day < options.Days; day++)
            {
                ct.ThrowIfCancellationRequested();
                var date = firstDay.AddDays(day);
                var events = planner.PlanDay(TimestampOf(date), eventsPerDay[day]);
                if (eventsPerDay[day] == 0)
                {
                    // The real logs have no empty day files; a day without events has no file.
                    continue;
                }
                files++;
                var path = Path.Combine(root, LogFileWriter.RelativePathOf(date));
                inFlight.Enqueue(Task.Run(() => writer.Write(path, events, ct), ct));
                if (inFlight.Count >= MaxDaysInFlight)
                {
                    (bytes, plays) = Add((bytes, plays), await inFlight.Dequeue());
                }
            }
            while (inFlight.Count > 0)
            {
                (bytes, plays) = Add((bytes, plays), await inFlight.Dequeue());
            }
        }
        catch
        {
            // Let the days still being written finish before reporting, so no file is written after we return.
            await Task.WhenAll(inFlight.ToArray<Task>()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        return (files, options.Events, plays, bytes);
    }

    private static (long Bytes, long Plays) Add((long Bytes, long Plays) total, (long Bytes, long Plays) day) =>
        (total.Bytes + day.Bytes, total.Plays + day.Plays);

    private static long TimestampOf(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
}
