using Amazon.S3;
using Amazon.S3.Model;
using Sparkify.Pipeline;

namespace Sparkify.Transform;

/// <summary>
/// Fetches the small objects of a group in parallel before they are staged: one at a time, thousands of one-song
/// files would spend their time waiting on GET round trips. Large objects are left to stream during the COPY, and
/// the bytes held at once are bounded.
/// </summary>
internal sealed class ObjectPrefetcher(IAmazonS3 s3)
{
    public const long SmallObjectBytes = 1024 * 1024;
    private const long MaxPrefetchedBytes = 64L * 1024 * 1024;
    private const int ParallelGets = 8;

    /// <returns>The bytes of each prefetched file, by file key; files left out are opened when staged.</returns>
    public async Task<Dictionary<string, byte[]>> FetchSmallAsync(IReadOnlyList<FileMessage> files, CancellationToken cancellationToken)
    {
        var chosen = new List<FileMessage>();
        long total = 0;
        foreach (var file in files.Where(f => f.Size <= SmallObjectBytes))
        {
            if (total + file.Size > MaxPrefetchedBytes)
            {
                break;
            }
            chosen.Add(file);
            total += file.Size;
        }
        var fetched = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]>();
        await Parallel.ForEachAsync(chosen, new ParallelOptions { MaxDegreeOfParallelism = ParallelGets, CancellationToken = cancellationToken },
            async (file, token) =>
            {
                try
                {
                    await using var stream = await OpenAsync(file, token);
                    using var buffer = new MemoryStream((int)Math.Max(file.Size, 0));
                    await stream.CopyToAsync(buffer, token);
                    fetched[file.FileKey] = buffer.ToArray();
                }
                catch (AmazonS3Exception)
                {
                    // Left to the staging step, which records the failure against the file.
                }
            });
        return new Dictionary<string, byte[]>(fetched);
    }

    public async Task<Stream> OpenAsync(FileMessage file, CancellationToken cancellationToken)
    {
        // EtagToMatch: stage exactly the content the batch's manifest names, never a newer upload under the same key.
        var response = await s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = file.Bucket,
            Key = file.ObjectKey,
            EtagToMatch = $"\"{file.ETag}\"",
        }, cancellationToken);
        return response.ResponseStream;
    }
}
