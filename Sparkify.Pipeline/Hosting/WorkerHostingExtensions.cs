using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sparkify.Pipeline.Hosting;

public static class WorkerHostingExtensions
{
    /// <summary>
    /// What every worker process has: the heartbeat behind <c>--health</c>, the way to give up with an exit code,
    /// waiting out dependencies, the schema gate (before any other hosted service), and a shutdown timeout that
    /// leaves time to drain.
    /// </summary>
    public static TBuilder AddWorkerDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<WorkerHostOptions>().Bind(builder.Configuration.GetSection(WorkerHostOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<HeartbeatOptions>().Bind(builder.Configuration.GetSection(HeartbeatOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RetryOptions>().Bind(builder.Configuration.GetSection(RetryOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<WorkerHostOptions>>((host, worker) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(worker.Value.ShutdownTimeoutSeconds));
        // The host's own reports of a failed start or a failed background service would log the error a second time:
        // WorkerRunner and WorkerService report each failure once, with the exit code.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WorkerHeartbeat>();
        builder.Services.AddSingleton<WorkerExit>();
        builder.Services.AddSingleton<DependencyRetry>();
        builder.Services.AddHostedService<SchemaGate>();
        return builder;
    }
}
