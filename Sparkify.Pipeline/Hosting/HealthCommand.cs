using Microsoft.Extensions.Configuration;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// <c>&lt;worker&gt; --health</c>: the container health check, with no shell and no HTTP. It reads the worker's
/// configuration (environment and appsettings, as the worker does), looks at the heartbeat file and exits 0 when the
/// last beat is recent, 1 otherwise, saying which in one line.
/// </summary>
public static class HealthCommand
{
    public const string Argument = "--health";

    public static bool IsRequested(IReadOnlyList<string> args) => args.Contains(Argument, StringComparer.Ordinal);

    public static int Run(string applicationName, TextWriter output) => Run(applicationName,
        new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build(),
        output);

    public static int Run(string applicationName, IConfiguration configuration, TextWriter output)
    {
        var options = new HeartbeatOptions();
        configuration.GetSection(HeartbeatOptions.Section).Bind(options);
        var path = options.PathFor(applicationName);
        var age = WorkerHeartbeat.AgeOf(path, DateTimeOffset.UtcNow);
        if (age is null)
        {
            output.WriteLine($"unhealthy: {applicationName} has not beaten yet ({path} does not exist)");
            return 1;
        }
        var seconds = Math.Max(0, age.Value.TotalSeconds);
        if (seconds > options.MaxAgeSeconds)
        {
            output.WriteLine($"unhealthy: {applicationName} last beat {seconds:F0} s ago (limit {options.MaxAgeSeconds} s)");
            return 1;
        }
        output.WriteLine($"healthy: {applicationName} last beat {seconds:F0} s ago");
        return 0;
    }
}
