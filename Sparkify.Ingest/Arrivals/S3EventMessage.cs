using System.Globalization;
using System.Net;
using System.Text.Json;
using Sparkify.Pipeline;

namespace Sparkify.Ingest.Arrivals;

/// <summary>One object-created record of an S3 event notification.</summary>
/// <param name="Key">The object key, URL-decoded (S3 sends it URL-encoded, a space as <c>+</c>).</param>
/// <param name="ETag">Bare (S3 sends it without quotes; any are removed).</param>
/// <param name="Sequencer">Hex; for one key the greater is the newer version (<see cref="S3Sequencer"/>).</param>
public sealed record ObjectArrival(string Bucket, string Key, long Size, string ETag, string Sequencer, DateTimeOffset? EventTime);

/// <summary>
/// S3's event notification JSON (<c>{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":…},
/// "object":{"key":…,"size":…,"eTag":…,"sequencer":…}}}]}</c>): its object-created records. The <c>s3:TestEvent</c>
/// S3 sends when a notification is configured, records of other events (removals, restores…) and bodies that are no S3
/// event at all hold none.
/// </summary>
public static class S3EventMessage
{
    /// <returns>The object-created records, in the message's order; empty for anything else.</returns>
    public static List<ObjectArrival> Parse(string body)
    {
        var arrivals = new List<ObjectArrival>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return arrivals;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Records", out var records) || records.ValueKind != JsonValueKind.Array)
            {
                return arrivals;
            }
            foreach (var record in records.EnumerateArray())
            {
                if (ObjectCreated(record) is { } arrival)
                {
                    arrivals.Add(arrival);
                }
            }
        }
        return arrivals;
    }

    private static ObjectArrival? ObjectCreated(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object
            || Text(record, "eventName") is not { } eventName
            || !eventName.StartsWith("ObjectCreated:", StringComparison.Ordinal)
            || !record.TryGetProperty("s3", out var s3) || s3.ValueKind != JsonValueKind.Object
            || !s3.TryGetProperty("bucket", out var bucket) || bucket.ValueKind != JsonValueKind.Object
            || !s3.TryGetProperty("object", out var item) || item.ValueKind != JsonValueKind.Object
            || Text(bucket, "name") is not { } bucketName
            || Text(item, "key") is not { } encodedKey
            || Text(item, "eTag") is not { } etag
            || Text(item, "sequencer") is not { } sequencer)
        {
            return null;
        }
        var size = item.TryGetProperty("size", out var sizeValue) && sizeValue.ValueKind == JsonValueKind.Number && sizeValue.TryGetInt64(out var bytes)
            ? bytes
            : 0;
        DateTimeOffset? eventTime = Text(record, "eventTime") is { } time
            && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : null;
        // WebUtility.UrlDecode turns '+' into a space, as S3's form encoding of keys means.
        return new ObjectArrival(bucketName, WebUtility.UrlDecode(encodedKey), size, S3Keys.BareETag(etag), sequencer, eventTime);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
