using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// Liveness without HTTP: a worker's loops call <see cref="Beat"/> whenever they come round (each receive, each scan,
/// each wait for a dependency), which touches a file; <see cref="HealthCommand"/> (the container's health check)
/// calls the worker healthy while the file is recent. A loop that hangs stops beating, and the scheduler replaces it.
/// </summary>
public sealed class WorkerHeartbeat(IOptions<HeartbeatOptions> options, IHostEnvironment environment, TimeProvider time)
{
    private readonly string _path = options.Value.PathFor(environment.ApplicationName);
    private long _lastBeatTicks;

    public string FilePath => _path;

    public void Beat()
    {
        var now = time.GetUtcNow();
        // At most one write a second, however many receivers beat.
        var last = Interlocked.Read(ref _lastBeatTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastBeatTicks, now.UtcTicks, last) != last)
        {
            return;
        }
        try
        {
            if (!File.Exists(_path))
            {
                File.WriteAllText(_path, "");
            }
            File.SetLastWriteTimeUtc(_path, now.UtcDateTime);
        }
        catch (IOException)
        {
            // A full or read-only /tmp shows as "unhealthy" through the health check; the work itself goes on.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Beats every few seconds until disposed: for work that is known to take a while (a group of files, a star load),
    /// whose own statements and requests are bounded by their timeouts.
    /// </summary>
    public IDisposable KeepAlive() => new KeepAliveTimer(this);

    private sealed class KeepAliveTimer : IDisposable
    {
        private readonly Timer _timer;

        public KeepAliveTimer(WorkerHeartbeat heartbeat) =>
            _timer = new Timer(_ => heartbeat.Beat(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

        public void Dispose() => _timer.Dispose();
    }

    /// <summary>How long ago the worker behind <paramref name="path"/> last beat, or null when it never did.</summary>
    public static TimeSpan? AgeOf(string path, DateTimeOffset now) =>
        File.Exists(path) ? now - new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) : null;
}
