using System.Text.Json;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Pipeline;

/// <summary>The body of one SQS message: one file of one batch.</summary>
/// <param name="LastModified">The object's modification time when it was listed (absent from older messages).</param>
public sealed record FileMessage(long BatchId, string Bucket, string ObjectKey, string ETag, long Size, DateTimeOffset? LastModified = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The key the warehouse records the file under.</summary>
    public string FileKey => S3Keys.Of(Bucket, ObjectKey);

    public ManifestFile ManifestFile => new(FileKey, ETag, Size, LastModified);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The message for a manifest's file (<c>s3://bucket/key</c>) in a batch.</summary>
    public static FileMessage Of(long batchId, ManifestFile file)
    {
        var (bucket, key) = S3Keys.Parse(file.Key);
        return new FileMessage(batchId, bucket, key, file.ETag, file.Size, file.LastModified);
    }

    /// <exception cref="FormatException">The body is not a file message.</exception>
    public static FileMessage Parse(string body)
    {
        try
        {
            var message = JsonSerializer.Deserialize<FileMessage>(body, Json);
            if (message is { BatchId: > 0, Bucket.Length: > 0, ObjectKey.Length: > 0, ETag.Length: > 0 })
            {
                return message;
            }
        }
        catch (JsonException)
        {
        }
        throw new FormatException("The SQS message is not a Sparkify file message.");
    }
}
