namespace Sparkify.Pipeline;

public static class S3Keys
{
    /// <summary>The warehouse key of an S3 object: <c>s3://bucket/key</c>.</summary>
    public static string Of(string bucket, string key) => $"s3://{bucket}/{key}";

    /// <summary>The bucket and object key of a warehouse key <c>s3://bucket/key</c>.</summary>
    public static (string Bucket, string Key) Parse(string fileKey)
    {
        if (!fileKey.StartsWith("s3://", StringComparison.Ordinal) || fileKey.IndexOf('/', 5) is var slash && slash < 0)
        {
            throw new FormatException($"{fileKey} is not an s3://bucket/key");
        }
        return (fileKey[5..slash], fileKey[(slash + 1)..]);
    }

    /// <summary>S3 returns ETags quoted; the warehouse stores them bare.</summary>
    public static string BareETag(string etag) => etag.Trim('"');
}
