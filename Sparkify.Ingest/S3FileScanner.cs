using Amazon.S3;
using Amazon.S3.Model;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Ingest;

/// <summary>Lists the song and log files under S3 prefixes (ListObjectsV2, every page), songs first.</summary>
public sealed class S3FileScanner(IAmazonS3 s3)
{
    public async Task<List<ManifestFile>> ScanAsync(string bucket, IEnumerable<string> prefixes, CancellationToken cancellationToken)
    {
        var found = new List<(FileKind Kind, ManifestFile File)>();
        foreach (var prefix in prefixes.Distinct(StringComparer.Ordinal))
        {
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
            ListObjectsV2Response page;
            do
            {
                page = await s3.ListObjectsV2Async(request, cancellationToken);
                foreach (var item in page.S3Objects ?? [])
                {
                    if (SourceFile.IsSourceName(item.Key) && SourceFile.KindOfKey(item.Key) is { } kind)
                    {
                        found.Add((kind, new ManifestFile(S3Keys.Of(bucket, item.Key), S3Keys.BareETag(item.ETag), item.Size ?? 0, ToOffset(item.LastModified))));
                    }
                }
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);
        }
        return [.. found.DistinctBy(f => f.File.Key).OrderBy(f => f.Kind).ThenBy(f => f.File.Key, StringComparer.Ordinal).Select(f => f.File)];
    }

    internal static DateTimeOffset? ToOffset(DateTime? lastModified) =>
        lastModified is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc)) : null;
}
