using Amazon.S3;
using Amazon.S3.Model;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Transform;

/// <summary>
/// Fetches the small objects of a group in parallel before they are staged: one at a time, thousands of one-song
/// files would spend their time waiting on GET round trips. Large objects are left to stream during the COPY, and
/// the bytes held at once are bounded. It reads only from <paramref name="bucket"/>, the configured one, whatever a
/// message names.
/// </summary>
internal sealed class ObjectPrefetcher(IAmazonS3 s3, string bucket)
{
    public const long SmallObjectBytes = 1024 * 1024;
    private const long MaxPrefetchedBytes = 64L * 1024 * 1024;
    private const int ParallelGets = 8;

    /// <returns>The bytes of each prefetched file, by file key; files left out are opened when staged.</returns>
    public async Task<Dictionary<string, byte[]>> FetchSmallAsync(IReadOnlyList<FileMessage> files, CancellationToken cancellationToken)
    {
        var chosen = new List<FileMessage>();
        long total = 0;
        foreach (var file in files.Where(f => f.Size <= SmallObjectBytes && IsConfiguredBucket(f)))
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
                catch (Exception exception) when (exception is SourceVersionGoneException
                                                   || (exception is AmazonS3Exception && !TransientFaults.IsTransient(exception)))
                {
                    // The object is gone or changed: left to the staging step, which records that against the file.
                }
            });
        return new Dictionary<string, byte[]>(fetched);
    }

    /// <summary>Whether the message names the bucket this Transform reads; no other is ever read.</summary>
    public bool IsConfiguredBucket(FileMessage file) => string.Equals(file.Bucket, bucket, StringComparison.Ordinal);

    /// <exception cref="SourceUnavailableException">S3 did not answer (5xx, throttling, a timeout): not the file's fault.</exception>
    /// <exception cref="SourceVersionGoneException">The object under the key is no longer the version the message names.</exception>
    /// <exception cref="InvalidDataException">The message names another bucket than the configured one: nothing is read.</exception>
    public async Task<Stream> OpenAsync(FileMessage file, CancellationToken cancellationToken)
    {
        if (!IsConfiguredBucket(file))
        {
            throw new InvalidDataException(OtherBucket(file, bucket));
        }
        try
        {
            // EtagToMatch: stage exactly the content the batch's manifest names, never a newer upload under the same key.
            var response = await s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = file.Bucket,
                Key = file.ObjectKey,
                EtagToMatch = $"\"{file.ETag}\"",
            }, cancellationToken);
            return new UnavailableAsSourceStream(response.ResponseStream, file.FileKey);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == System.Net.HttpStatusCode.PreconditionFailed)
        {
            throw new SourceVersionGoneException(file.FileKey, file.ETag, exception);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw TransientFaults.IsTransient(exception) ? new SourceUnavailableException(file.FileKey, exception) : exception;
        }
    }

    public static string OtherBucket(FileMessage file, string bucket) =>
        $"the message names the bucket {file.Bucket}, not the configured bucket {bucket}: nothing was read from it";

    /// <summary>An object's body whose read failures mid-stream (a connection reset) are S3's, not the file's.</summary>
    private sealed class UnavailableAsSourceStream(Stream body, string fileKey) : ReadOnlyStreamWrapper(body)
    {
        public override int Read(Span<byte> buffer)
        {
            try
            {
                return Inner.Read(buffer);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && TransientFaults.IsTransient(exception))
            {
                throw new SourceUnavailableException(fileKey, exception);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await Inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && TransientFaults.IsTransient(exception))
            {
                throw new SourceUnavailableException(fileKey, exception);
            }
        }
    }
}
