using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.S3.Model;
using Amazon.SQS.Model;
using Sparkify.Pipeline;

namespace Sparkify.Cli.Bench;

/// <summary>
/// Measures the local S3/SQS endpoint on its own, with the same SDK and the same concurrency the Transform worker
/// uses (8 parallel GETs, 4 parallel SQS calls of 10 messages): the ceiling the pipeline cannot pass through it.
/// </summary>
internal static class EndpointProbe
{
    private const int Objects = 2000;
    private const int Messages = 2000;

    /// <param name="endpointPid">The endpoint's process, whose CPU time per GET is measured too.</param>
    public static async Task<Dictionary<string, double>> MeasureAsync(PipelineOptions options, AWSCredentials credentials, int endpointPid,
        CancellationToken cancellationToken)
    {
        using var s3 = AwsClients.CreateS3(options, credentials);
        using var sqs = AwsClients.CreateSqs(options, credentials);
        var rates = new Dictionary<string, double>();

        var keys = new List<string>();
        var listing = new ListObjectsV2Request { BucketName = options.Bucket, Prefix = "song_data/" };
        do
        {
            var page = await s3.ListObjectsV2Async(listing, cancellationToken);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            listing.ContinuationToken = page.NextContinuationToken;
        }
        while (listing.ContinuationToken is not null && keys.Count < Objects);
        keys = [.. keys.Take(Objects)];
        if (keys.Count > 0)
        {
            var started = Stopwatch.GetTimestamp();
            var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var endpointCpu = ChildProcess.ReadCpuSeconds(endpointPid) ?? 0;
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (key, token) =>
                {
                    using var response = await s3.GetObjectAsync(options.Bucket, key, token);
                    await response.ResponseStream.CopyToAsync(Stream.Null, token);
                });
            rates["s3 get (objects/s)"] = keys.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            rates["client CPU per GET, AWS SDK (ms)"] = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMilliseconds / keys.Count;
            rates["endpoint CPU per GET (ms)"] = ((ChildProcess.ReadCpuSeconds(endpointPid) ?? 0) - endpointCpu) * 1000 / keys.Count;
        }

        var queueUrl = (await sqs.CreateQueueAsync("sparkify-bench-probe", cancellationToken)).QueueUrl;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken };
        var sending = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, Messages / 10), parallel, async (chunk, token) =>
            await sqs.SendMessageBatchAsync(queueUrl,
                [.. Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), $"probe {chunk} {i}"))],
                token));
        rates["sqs send (messages/s)"] = Messages / Stopwatch.GetElapsedTime(sending).TotalSeconds;

        var received = new ConcurrentBag<string>();
        var receiving = Stopwatch.GetTimestamp();
        while (received.Count < Messages)
        {
            var before = received.Count;
            await Parallel.ForEachAsync(Enumerable.Range(0, 4), parallel, async (_, token) =>
            {
                var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, VisibilityTimeout = 300 }, token);
                foreach (var message in response.Messages ?? [])
                {
                    received.Add(message.ReceiptHandle);
                }
            });
            if (received.Count == before)
            {
                break;
            }
        }
        rates["sqs receive (messages/s)"] = received.Count / Stopwatch.GetElapsedTime(receiving).TotalSeconds;

        var deleting = Stopwatch.GetTimestamp();
        await MessageSettlement.DeleteAsync(sqs, queueUrl, received, cancellationToken);
        rates["sqs delete (messages/s)"] = received.Count / Stopwatch.GetElapsedTime(deleting).TotalSeconds;
        return rates;
    }
}
