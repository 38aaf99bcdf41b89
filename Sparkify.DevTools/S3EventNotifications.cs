using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Sparkify.DevTools;

/// <summary>An object S3 would send an <c>ObjectCreated:Put</c> event for: its key (not encoded), size and ETag.</summary>
public sealed record CreatedObject(string Key, long Size, string ETag);

/// <summary>
/// The event notification JSON S3 sends to a queue (event message structure 2.1), for the local endpoint, which sends
/// none: local runs and tests post it themselves for the objects they upload.
/// </summary>
public static class S3EventNotifications
{
    private static long s_lastSequencer = Stopwatch.GetTimestamp();

    /// <summary>One message with one record per object, keys URL-encoded as S3 does (a space as <c>+</c>, slashes kept).</summary>
    /// <param name="sequencers">Each object's sequencer (hex); by default increasing in the order given.</param>
    public static string ObjectsCreated(string bucket, IReadOnlyList<CreatedObject> objects, IReadOnlyList<string>? sequencers = null,
        string eventName = "ObjectCreated:Put")
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("Records");
            for (var i = 0; i < objects.Count; i++)
            {
                var item = objects[i];
                json.WriteStartObject();
                json.WriteString("eventVersion", "2.1");
                json.WriteString("eventSource", "aws:s3");
                json.WriteString("awsRegion", "us-east-1");
                json.WriteString("eventTime", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                json.WriteString("eventName", eventName);
                json.WriteStartObject("s3");
                json.WriteString("s3SchemaVersion", "1.0");
                json.WriteString("configurationId", "arrivals");
                json.WriteStartObject("bucket");
                json.WriteString("name", bucket);
                json.WriteString("arn", $"arn:aws:s3:::{bucket}");
                json.WriteEndObject();
                json.WriteStartObject("object");
                json.WriteString("key", EncodeKey(item.Key));
                json.WriteNumber("size", item.Size);
                json.WriteString("eTag", item.ETag.Trim('"'));
                json.WriteString("sequencer", sequencers?[i] ?? NextSequencer());
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The message S3 sends when a notification configuration is created.</summary>
    public static string TestEvent(string bucket) =>
        JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["Service"] = "Amazon S3", ["Event"] = "s3:TestEvent", ["Time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["Bucket"] = bucket, ["RequestId"] = "0000000000000000", ["HostId"] = "local",
        });

    /// <summary>Posts one event message per object to the arrivals queue, ten per call, as the bucket's notification would.</summary>
    public static async Task PostObjectsCreatedAsync(IAmazonSQS sqs, string queueUrl, string bucket, IEnumerable<CreatedObject> objects,
        CancellationToken cancellationToken = default)
    {
        foreach (var call in objects.Chunk(10))
        {
            var entries = call.Select((item, i) => new SendMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), ObjectsCreated(bucket, [item])))
                .ToList();
            var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queueUrl, Entries = entries }, cancellationToken);
            if (response.Failed is { Count: > 0 } failed)
            {
                throw new InvalidOperationException($"SQS refused {failed.Count} event message(s): {failed[0].Code} {failed[0].Message}");
            }
        }
    }

    /// <summary>
    /// Posts the event S3 would send for each of <paramref name="keys"/>, just uploaded: size and ETag from a HEAD of each
    /// (the local endpoint sends no notifications of its own).
    /// </summary>
    public static async Task PostUploadedAsync(IAmazonS3 s3, IAmazonSQS sqs, string queueUrl, string bucket, IReadOnlyList<string> keys,
        CancellationToken cancellationToken = default)
    {
        var created = new CreatedObject[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var head = await s3.GetObjectMetadataAsync(bucket, keys[i], token);
                created[i] = new CreatedObject(keys[i], head.ContentLength, head.ETag);
            });
        await PostObjectsCreatedAsync(sqs, queueUrl, bucket, created, cancellationToken);
    }

    /// <summary>S3's encoding of keys in events: each path segment form-encoded (a space as <c>+</c>).</summary>
    public static string EncodeKey(string key) => string.Join('/', key.Split('/').Select(WebUtility.UrlEncode));

    private static string NextSequencer() => Interlocked.Increment(ref s_lastSequencer).ToString("X16", CultureInfo.InvariantCulture);
}
