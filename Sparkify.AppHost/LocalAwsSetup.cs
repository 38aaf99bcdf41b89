using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sparkify.DevTools.DemoData;
using Sparkify.Pipeline;
using Sparkify.DevTools;

namespace Sparkify.AppHost;

/// <summary>
/// First start of the local endpoint: the bucket, the file queue and its dead-letter queue, and the data — the
/// configured folder, or demo data made by the generator — uploaded into an empty bucket. Runs once, before the
/// workers start (they wait for the endpoint's ready handlers).
/// </summary>
public sealed class LocalAwsSetup(SparkifySettings settings)
{
    public async Task RunAsync(string serviceUrl, IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<LocalAwsSetup>();
        var options = LocalAwsExtensions.LocalOptions(serviceUrl, settings.Bucket);
        options.QueueName = settings.QueueName;
        using var s3 = AwsClients.CreateS3(options, LocalAwsExtensions.LocalCredentials);
        using var sqs = AwsClients.CreateSqs(options, LocalAwsExtensions.LocalCredentials);
        await QueueSetup.EnsureAsync(s3, sqs, options, settings.MaxReceives, settings.VisibilityTimeoutSeconds, cancellationToken);
        if (settings.PostsArrivalEvents)
        {
            await QueueSetup.EnsureArrivalsQueueAsync(sqs, settings.ArrivalsQueueName, cancellationToken);
        }

        var existing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = settings.Bucket, MaxKeys = 1 }, cancellationToken);
        if (existing.S3Objects is { Count: > 0 })
        {
            return;
        }
        var folder = settings.DataFolder ?? await DemoDataAsync(logger, cancellationToken);
        var uploaded = await QueueSetup.UploadFolderKeysAsync(s3, settings.Bucket, folder, cancellationToken);
        logger.LogInformation("Uploaded {Count} file(s) from {Folder} to s3://{Bucket}.", uploaded.Count, folder, settings.Bucket);
        if (settings.PostsArrivalEvents)
        {
            // What the bucket's s3:ObjectCreated:* notification would send on AWS; the local endpoint sends nothing.
            var arrivals = await QueueSetup.EnsureArrivalsQueueAsync(sqs, settings.ArrivalsQueueName, cancellationToken);
            await S3EventNotifications.PostUploadedAsync(s3, sqs, arrivals, settings.Bucket, uploaded, cancellationToken);
            logger.LogInformation("Posted {Count} S3 event(s) to {Queue}: the local endpoint sends no notifications.", uploaded.Count, settings.ArrivalsQueueName);
        }
    }

    private async Task<string> DemoDataAsync(ILogger logger, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(settings.StateDirectory, $"demo-data-{settings.DemoSongs}-{settings.DemoEvents}-{settings.DemoSeed}");
        if (!Directory.Exists(Path.Combine(folder, "log_data")))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var summary = await DemoDataGenerator.WriteAsync(folder,
                new GeneratorOptions(settings.DemoSongs, settings.DemoEvents, Seed: settings.DemoSeed), cancellationToken);
            logger.LogInformation("Generated demo data: {Songs} song files, {Events} events in {Folder}.", summary.SongFiles, summary.Events, folder);
        }
        return folder;
    }
}
