namespace Sparkify.Cli;

/// <summary>An <c>s3://bucket/prefix</c> target; the prefix, when given, ends with a slash.</summary>
internal sealed record S3Target(string Bucket, string Prefix)
{
    public static S3Target? TryParse(string target)
    {
        if (!target.StartsWith("s3://", StringComparison.Ordinal))
        {
            return null;
        }
        var rest = target["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0)
        {
            throw new UsageException($"{target} names no bucket: use s3://bucket or s3://bucket/prefix.");
        }
        return new S3Target(bucket, prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/");
    }
}
