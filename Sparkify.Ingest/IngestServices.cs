using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Sparkify.Ingest;

public static class IngestServices
{
    /// <summary>Everything the ingest worker needs, given a warehouse and the pipeline's AWS clients.</summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<S3FileScanner>();
        services.AddSingleton<Sparkify.Warehouse.Bookkeeping.ListingBatches>();
        services.AddSingleton<Sparkify.Warehouse.Bookkeeping.ListingWatermarks>();
        services.AddSingleton<BatchPublisher>();
        services.AddSingleton<IngestScan>();
        services.AddSingleton<Sparkify.Warehouse.Bookkeeping.DeadLetterReplays>();
        services.AddSingleton<DeadLetterReplayer>();
        services.AddSingleton<Arrivals.ArrivalsConsumer>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// The hosted loop of the configured mode: <see cref="IngestMode.Notifications"/> consumes the arrivals queue
    /// (<see cref="Arrivals.ArrivalsWorker"/>); every other mode scans or replays (<see cref="IngestWorker"/>).
    /// </summary>
    public static IServiceCollection AddIngestWorker(this IServiceCollection services, IConfiguration configuration)
    {
        var mode = configuration.GetSection(IngestOptions.Section).GetValue(nameof(IngestOptions.Mode), IngestMode.Once);
        return mode == IngestMode.Notifications
            ? services.AddHostedService<Arrivals.ArrivalsWorker>()
            : services.AddHostedService<IngestWorker>();
    }
}
