using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline.Hosting;

namespace Sparkify.Pipeline.Tests;

public sealed class HealthCommandTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sparkify-health-{Guid.NewGuid():N}.heartbeat");

    private IConfiguration Configuration(int maxAgeSeconds = 30) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Sparkify:Heartbeat:Path"] = _path,
        ["Sparkify:Heartbeat:MaxAgeSeconds"] = maxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }).Build();

    private int Health(out string said, int maxAgeSeconds = 30)
    {
        using var output = new StringWriter();
        var code = HealthCommand.Run("Worker", Configuration(maxAgeSeconds), output);
        said = output.ToString();
        return code;
    }

    private WorkerHeartbeat Heartbeat() =>
        new(Options.Create(new HeartbeatOptions { Path = _path }), new Environment(), TimeProvider.System);

    [Fact]
    public void A_worker_that_never_beat_is_unhealthy()
    {
        Assert.Equal(1, Health(out var said));
        Assert.StartsWith("unhealthy", said);
    }

    [Fact]
    public void A_recent_beat_is_healthy_and_an_old_one_is_not()
    {
        Heartbeat().Beat();
        Assert.Equal(0, Health(out var said));
        Assert.StartsWith("healthy", said);

        File.SetLastWriteTimeUtc(_path, DateTime.UtcNow.AddSeconds(-45));
        Assert.Equal(1, Health(out said));
        Assert.Contains("last beat 45 s ago (limit 30 s)", said);
        Assert.Equal(0, Health(out _, maxAgeSeconds: 60));
    }

    [Fact]
    public void Beating_again_makes_it_healthy_again()
    {
        // Beats are written at most once a second: the second beat comes 1.1 s after the first, on the worker's clock.
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddSeconds(-2));
        var heartbeat = new WorkerHeartbeat(Options.Create(new HeartbeatOptions { Path = _path }), new Environment(), clock);
        heartbeat.Beat();
        File.SetLastWriteTimeUtc(_path, DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(1, Health(out _));

        clock.Now += TimeSpan.FromSeconds(0.5);
        heartbeat.Beat();
        Assert.Equal(1, Health(out _));
        clock.Now += TimeSpan.FromSeconds(0.6);
        heartbeat.Beat();
        Assert.Equal(0, Health(out _));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Only_the_health_argument_selects_the_health_command()
    {
        Assert.True(HealthCommand.IsRequested(["--health"]));
        Assert.False(HealthCommand.IsRequested([]));
        Assert.False(HealthCommand.IsRequested(["--Sparkify:Bucket=health"]));
    }

    public void Dispose() => File.Delete(_path);

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "Worker";
        public string ContentRootPath { get; set; } = "/";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
