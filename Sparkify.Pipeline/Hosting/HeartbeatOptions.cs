using System.ComponentModel.DataAnnotations;

namespace Sparkify.Pipeline.Hosting;

/// <summary>Configuration section <c>Sparkify:Heartbeat</c>: where a worker proves its loop is alive, and for how long a beat counts.</summary>
public sealed class HeartbeatOptions
{
    public const string Section = "Sparkify:Heartbeat";

    /// <summary>The heartbeat file; by default <c>/tmp/&lt;application&gt;.heartbeat</c> (the only writable place of a read-only container).</summary>
    public string? Path { get; set; }

    /// <summary>A worker whose last beat is older than this is unhealthy. Its loops beat at least every 20 s (one long poll).</summary>
    [Range(5, 86_400)]
    public int MaxAgeSeconds { get; set; } = 90;

    public string PathFor(string applicationName) =>
        string.IsNullOrWhiteSpace(Path) ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), applicationName + ".heartbeat") : Path;
}
