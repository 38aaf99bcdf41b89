using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sparkify.AppHost;

/// <summary>
/// The report page's URL on the console, once the page answers its health check: beside the dashboard's login URL,
/// so that a person running `scripts/run.sh` need not open the dashboard to find it.
/// </summary>
internal static class ReportPageAddress
{
    public const string LogCategory = "Sparkify.AppHost.ReportPage";

    public static IResourceBuilder<ProjectResource> PrintWhenReady(this IResourceBuilder<ProjectResource> report) =>
        report.WithHttpHealthCheck("/health")
            .OnResourceReady((resource, ready, _) =>
            {
                ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory)
                    .LogInformation("The report page: {Url}", resource.GetEndpoint("http").Url);
                return Task.CompletedTask;
            });
}
