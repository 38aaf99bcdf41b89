using Microsoft.Extensions.Options;
using Sparkify.Pipeline;

namespace Sparkify.Ingest;

/// <summary>Runs the ingestor once (then stops the host) or every interval in watch mode.</summary>
public sealed class IngestWorker(
    Ingestor ingestor, IOptions<PipelineOptions> pipeline, IOptions<IngestOptions> options,
    IHostApplicationLifetime lifetime, ILogger<IngestWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        await ingestor.ResumeAsync(stoppingToken);
        var backfill = settings.BackfillPrefixes.Count > 0;
        var prefixes = backfill ? settings.BackfillPrefixes : pipeline.Value.Prefixes;
        if (backfill)
        {
            logger.LogInformation("Backfill of {Prefixes}.", string.Join(", ", prefixes));
        }
        do
        {
            await ingestor.ScanOnceAsync(prefixes, stoppingToken);
            if (settings.Mode == IngestMode.Once || backfill)
            {
                lifetime.StopApplication();
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(settings.WatchIntervalSeconds), stoppingToken);
        }
        while (!stoppingToken.IsCancellationRequested);
    }
}
