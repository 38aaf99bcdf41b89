using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Amazon.SQS;
using Amazon.SQS.Model;
using Sparkify.Pipeline;

namespace Sparkify.DevTools;

/// <summary>
/// Creates the bucket, the file queue and its dead-letter queue (RedrivePolicy after <c>maxReceives</c>) when they
/// are missing: for the local emulator and tests. On AWS these are provisioned by infrastructure code. The workers
/// find the dead-letter queue through the file queue's RedrivePolicy (<see cref="DeadLetterQueue"/>), whatever its name.
/// </summary>
public static class QueueSetup
{
    /// <summary>The name the local dead-letter queue gets unless another is given: the file queue's, with "-dlq".</summary>
    public static string DeadLetterQueueName(string queueName) => queueName + "-dlq";

    public static async Task EnsureAsync(IAmazonS3 s3, IAmazonSQS sqs, PipelineOptions options, int maxReceives, int visibilityTimeoutSeconds,
        CancellationToken cancellationToken = default, string? deadLetterQueueName = null)
    {
        var buckets = await s3.ListBucketsAsync(new ListBucketsRequest(), cancellationToken);
        if (buckets.Buckets?.Any(b => b.BucketName == options.Bucket) != true)
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = options.Bucket }, cancellationToken);
        }

        var deadLetterUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = deadLetterQueueName ?? DeadLetterQueueName(options.QueueName) }, cancellationToken)).QueueUrl;
        var deadLetterArn = (await sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = deadLetterUrl, AttributeNames = ["QueueArn"] }, cancellationToken)).QueueARN;
        await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = options.QueueName,
            Attributes = new Dictionary<string, string>
            {
                ["VisibilityTimeout"] = visibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"{{deadLetterArn}}","maxReceiveCount":"{{maxReceives}}"}""",
            },
        }, cancellationToken);
    }

    /// <summary>
    /// Uploads every file below <paramref name="folder"/> to the bucket, keyed <paramref name="keyPrefix"/> + its
    /// relative path. Files over 8 MiB go up in 8 MiB parts (multipart upload): S3 takes them faster that way, and
    /// the local endpoint refuses request bodies over 11 MiB.
    /// </summary>
    public static async Task<int> UploadFolderAsync(IAmazonS3 s3, string bucket, string folder, CancellationToken cancellationToken = default,
        string keyPrefix = "") => (await UploadFolderKeysAsync(s3, bucket, folder, cancellationToken, keyPrefix)).Count;

    /// <summary>
    /// Creates the arrivals queue of notification mode when it is missing, and returns its URL. Its dead-letter queue
    /// and encryption are the CDK stack's on AWS; locally the queue is only the place the events are posted to.
    /// </summary>
    public static async Task<string> EnsureArrivalsQueueAsync(IAmazonSQS sqs, string arrivalsQueueName, CancellationToken cancellationToken = default) =>
        (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = arrivalsQueueName }, cancellationToken)).QueueUrl;

    /// <summary>The same upload, returning the keys written.</summary>
    public static async Task<IReadOnlyList<string>> UploadFolderKeysAsync(IAmazonS3 s3, string bucket, string folder,
        CancellationToken cancellationToken = default, string keyPrefix = "")
    {
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToList();
        const long partBytes = 8L * 1024 * 1024;
        using var transfer = new TransferUtility(s3, new TransferUtilityConfig { MinSizeBeforePartUpload = partBytes });
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (path, token) =>
            {
                await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = bucket, Key = KeyOf(path), FilePath = path, PartSize = partBytes }, token);
            });
        return [.. files.Select(KeyOf)];

        string KeyOf(string path) => keyPrefix + Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
    }
}
