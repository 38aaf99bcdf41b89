using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// The real S3 client, except that ListObjectsV2 answers from a synthetic bucket of <c>keys</c> dated log files (no
/// objects uploaded): pages of MaxKeys keys in lexical order, StartAfter and continuation honoured, calls counted.
/// A stand-in for listing a bucket of a million keys, which the local endpoint cannot hold in reasonable time.
/// </summary>
public class SyntheticListing : DispatchProxy
{
    private IAmazonS3 _inner = null!;
    private int _keys;

    public int Calls;

    public static (IAmazonS3 Client, SyntheticListing Listing) Wrap(IAmazonS3 inner, int keys)
    {
        var client = Create<IAmazonS3, SyntheticListing>();
        var listing = (SyntheticListing)(object)client;
        listing._inner = inner;
        listing._keys = keys;
        return (client, listing);
    }

    public static string KeyOf(int index) => $"log_data/2018/11/{index:D8}-events.json";

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name == nameof(IAmazonS3.ListObjectsV2Async) && args is [ListObjectsV2Request request, CancellationToken])
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(Page(request));
        }
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            throw inner;
        }
    }

    private ListObjectsV2Response Page(ListObjectsV2Request request)
    {
        var first = request.ContinuationToken is { } token ? int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)
            : request.StartAfter is { } after ? FirstAfter(after) : 0;
        if (!"log_data/".StartsWith(request.Prefix, StringComparison.Ordinal) && !request.Prefix.StartsWith("log_data/", StringComparison.Ordinal))
        {
            first = _keys;
        }
        var last = Math.Min(_keys, first + (request.MaxKeys ?? 1000));
        var objects = new List<S3Object>(last - first);
        for (var i = first; i < last; i++)
        {
            objects.Add(new S3Object { Key = KeyOf(i), ETag = $"\"{i:x32}\"", Size = 1024, LastModified = new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc) });
        }
        return new ListObjectsV2Response
        {
            S3Objects = objects, KeyCount = objects.Count, IsTruncated = last < _keys,
            NextContinuationToken = last < _keys ? last.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        };
    }

    private int FirstAfter(string after)
    {
        var index = Array.BinarySearch(Enumerable.Range(0, _keys).Select(KeyOf).ToArray(), after, StringComparer.Ordinal);
        return index >= 0 ? index + 1 : ~index;
    }
}
