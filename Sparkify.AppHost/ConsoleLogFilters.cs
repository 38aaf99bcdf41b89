using Microsoft.Extensions.Logging;

namespace Sparkify.AppHost;

/// <summary>
/// The AppHost's console is for the person running scripts/run.sh: where the dashboard is, the data, the result. What
/// such a person can neither act on nor needs is filtered out here.
/// </summary>
internal static class ConsoleLogFilters
{
    /// <summary>The prefix under which the AppHost re-logs the dashboard process's own log lines (category after it).</summary>
    private const string Dashboard = "Aspire.Hosting.Dashboard.ThirdParty.";

    public static ILoggingBuilder KeepToWhatPeopleNeed(this ILoggingBuilder logging) => logging
        // Every request of the dashboard's resource service (hosted in this process) and every orchestrator step.
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        .AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning)
        // A first run's "No XML encryptor configured. Key … may be persisted to storage in unencrypted form": the
        // resource service hosted in this process registers authentication, so ASP.NET Core creates a data-protection
        // key ring in ~/.aspnet at start. That service authenticates with an API key and protects nothing with it;
        // the dashboard process, whose lines come here prefixed, shares the key ring.
        .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
        .AddFilter(Dashboard + "Microsoft.AspNetCore.DataProtection", LogLevel.Error)
        // A browser that leaves the dashboard ends its Blazor circuit, and the dashboard logs what its components were
        // doing then (CircuitHost, RemoteRenderer, ComponentHub) with the exception appended: ~15 lines of stack trace
        // about the dashboard's own UI, which the AppHost re-logs here.
        .AddFilter(Dashboard + "Microsoft.AspNetCore.Components.Server", LogLevel.None);
}
