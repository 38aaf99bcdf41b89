using System.Net;
using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;

namespace Sparkify.Pipeline.IntegrationTests.Outages;

/// <summary>
/// The real S3 client, except that a HEAD of the given keys answers 403 Forbidden: what AWS answers for a deleted
/// object to a role whose <c>s3:ListBucket</c> is conditioned on prefixes.
/// </summary>
public class S3DeniedHeads : DispatchProxy
{
    private IAmazonS3 _inner = null!;
    private HashSet<string> _keys = [];

    public static IAmazonS3 Wrap(IAmazonS3 inner, params string[] keys)
    {
        var client = Create<IAmazonS3, S3DeniedHeads>();
        var denied = (S3DeniedHeads)(object)client;
        denied._inner = inner;
        denied._keys = [.. keys];
        return client;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        var key = args switch
        {
            [GetObjectMetadataRequest request, ..] => request.Key,
            [string, string objectKey, ..] => objectKey,
            _ => null,
        };
        if (method!.Name == nameof(IAmazonS3.GetObjectMetadataAsync) && key is not null && _keys.Contains(key))
        {
            return Task.FromException<GetObjectMetadataResponse>(
                new AmazonS3Exception("Forbidden") { StatusCode = HttpStatusCode.Forbidden, ErrorCode = "AccessDenied" });
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
