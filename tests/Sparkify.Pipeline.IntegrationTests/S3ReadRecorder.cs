using System.Collections.Concurrent;
using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>The real S3 client, recording the bucket of every object read (GET or HEAD) it is asked to make.</summary>
public class S3ReadRecorder : DispatchProxy
{
    private IAmazonS3 _inner = null!;

    public ConcurrentQueue<string> Buckets { get; } = new();

    public static (IAmazonS3 Client, S3ReadRecorder Reads) Wrap(IAmazonS3 inner)
    {
        var client = Create<IAmazonS3, S3ReadRecorder>();
        var recorder = (S3ReadRecorder)(object)client;
        recorder._inner = inner;
        return (client, recorder);
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name is "GetObjectAsync" or "GetObjectMetadataAsync" && args is [var first, ..])
        {
            Buckets.Enqueue(first switch
            {
                GetObjectRequest request => request.BucketName,
                GetObjectMetadataRequest request => request.BucketName,
                string bucket => bucket,
                _ => "?",
            });
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
}
