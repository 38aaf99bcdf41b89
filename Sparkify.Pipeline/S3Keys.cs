namespace Sparkify.Pipeline;

public static class S3Keys
{
    /// <summary>The warehouse key of an S3 object: <c>s3://bucket/key</c>.</summary>
    public static string Of(string bucket, string key) => $"s3://{bucket}/{key}";

    /// <summary>S3 returns ETags quoted; the warehouse stores them bare.</summary>
    public static string BareETag(string etag) => etag.Trim('"');
}
