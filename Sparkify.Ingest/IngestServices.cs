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
        return services;
    }
}
