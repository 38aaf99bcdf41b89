using System.Collections.Concurrent;
using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// The real S3 client, recording every ListObjectsV2 call it is asked to make, and running <c>beforeEachList</c> before
/// making it (to look at what the scan had recorded by the time it asked for that page, or to fail the call).
/// </summary>
public class S3ListingRecorder : DispatchProxy
{
    private IAmazonS3 _inner = null!;
    private Func<int, Task>? _beforeEachList;

    public sealed record ListCall(string Prefix, string? StartAfter, bool NextPage);

    public ConcurrentQueue<ListCall> Calls { get; } = new();

    /// <param name="beforeEachList">Given the call's number (1 for the first), run before the call is made.</param>
    public static (IAmazonS3 Client, S3ListingRecorder Listings) Wrap(IAmazonS3 inner, Func<int, Task>? beforeEachList = null)
    {
        var client = Create<IAmazonS3, S3ListingRecorder>();
        var recorder = (S3ListingRecorder)(object)client;
        recorder._inner = inner;
        recorder._beforeEachList = beforeEachList;
        return (client, recorder);
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name == nameof(IAmazonS3.ListObjectsV2Async) && args is [ListObjectsV2Request request, CancellationToken token])
        {
            Calls.Enqueue(new ListCall(request.Prefix, request.StartAfter, request.ContinuationToken is not null));
            return ListAsync(Calls.Count, request, token);
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

    private async Task<ListObjectsV2Response> ListAsync(int call, ListObjectsV2Request request, CancellationToken token)
    {
        if (_beforeEachList is not null)
        {
            await _beforeEachList(call);
        }
        return await _inner.ListObjectsV2Async(request, token);
    }
}
