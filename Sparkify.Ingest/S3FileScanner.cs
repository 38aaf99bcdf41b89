using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Ingest;

/// <summary>One ListObjectsV2 page: its song and log files, and the last key it held (whatever it was).</summary>
public sealed record ListedPage(IReadOnlyList<ManifestFile> Files, string? LastKey);

/// <summary>
/// Lists the song and log files under an S3 prefix one ListObjectsV2 page at a time (up to
/// <see cref="IngestOptions.ListPageSize"/> keys), asking for the next page only once the caller is done with this one:
/// memory holds one page whatever the key count.
/// </summary>
public sealed class S3FileScanner(IAmazonS3 s3, IOptions<IngestOptions> options)
{
    /// <param name="startAfter">List only the keys after this one (ListObjectsV2 StartAfter); null: every key.</param>
    public async IAsyncEnumerable<ListedPage> ListAsync(string bucket, string prefix, string? startAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, StartAfter = startAfter, MaxKeys = options.Value.ListPageSize };
        ListObjectsV2Response page;
        do
        {
            page = await s3.ListObjectsV2Async(request, cancellationToken);
            var files = new List<ManifestFile>(page.S3Objects?.Count ?? 0);
            string? lastKey = null;
            foreach (var item in page.S3Objects ?? [])
            {
                lastKey = item.Key;
                if (SourceFile.IsSourceName(item.Key) && SourceFile.KindOfKey(item.Key) is not null)
                {
                    files.Add(new ManifestFile(S3Keys.Of(bucket, item.Key), S3Keys.BareETag(item.ETag), item.Size ?? 0, ToOffset(item.LastModified)));
                }
            }
            yield return new ListedPage(files, lastKey);
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    /// <summary>
    /// The prefixes to list, each once, leaving out any that another one covers (<c>log_data/2018/</c> under
    /// <c>log_data/</c>): the listings are disjoint, so no key is seen twice and nothing has to be remembered across pages.
    /// </summary>
    public static List<string> DisjointPrefixes(IEnumerable<string> prefixes)
    {
        var distinct = prefixes.Distinct(StringComparer.Ordinal).ToList();
        return [.. distinct.Where(p => !distinct.Any(other => other != p && p.StartsWith(other, StringComparison.Ordinal)))];
    }

    internal static DateTimeOffset? ToOffset(DateTime? lastModified) =>
        lastModified is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc)) : null;
}
