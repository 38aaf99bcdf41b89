using System.Diagnostics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Names the AWS SDK's HTTP client spans by what they do, after the OpenTelemetry RPC and messaging conventions
/// (no maintained AWS SDK instrumentation restores here): <c>SQS.ReceiveMessage</c> with <c>rpc.service = SQS</c>,
/// <c>messaging.system = aws_sqs</c> and <c>messaging.operation.type = receive</c>; <c>S3.GetObject</c> with
/// <c>rpc.service = S3</c>; instead of a bare <c>POST</c> or <c>GET</c>. Other HTTP calls keep their names.
/// </summary>
public static class AwsClientSpans
{
    public static void Enrich(Activity activity, HttpRequestMessage request)
    {
        if (Describe(request) is not { } call)
        {
            return;
        }
        activity.DisplayName = $"{call.Service}.{call.Method}";
        activity.SetTag("rpc.system", "aws-api");
        activity.SetTag("rpc.service", call.Service);
        activity.SetTag("rpc.method", call.Method);
        if (call.MessagingOperation is { } operation)
        {
            activity.SetTag("messaging.system", "aws_sqs");
            activity.SetTag("messaging.operation.name", call.Method);
            activity.SetTag("messaging.operation.type", operation);
        }
    }

    public sealed record AwsCall(string Service, string Method, string? MessagingOperation);

    /// <summary>The AWS operation an SDK request performs, or null for a request that is not an S3 or SQS call.</summary>
    public static AwsCall? Describe(HttpRequestMessage request)
    {
        if (Header(request, "X-Amz-Target") is { } target && target.StartsWith("AmazonSQS.", StringComparison.Ordinal))
        {
            var method = target["AmazonSQS.".Length..];
            return new AwsCall("SQS", method, SqsOperationType(method));
        }
        // Every S3 request the SDK signs carries the payload hash; SQS's JSON protocol names its operation above.
        return Header(request, "x-amz-content-sha256") is not null && request.RequestUri is { } uri
            ? new AwsCall("S3", S3Method(request.Method, uri), null)
            : null;
    }

    private static string? SqsOperationType(string method) => method switch
    {
        "ReceiveMessage" => "receive",
        "SendMessage" or "SendMessageBatch" => "send",
        "DeleteMessage" or "DeleteMessageBatch" or "ChangeMessageVisibility" or "ChangeMessageVisibilityBatch" => "settle",
        _ => null,
    };

    /// <summary>The S3 operation from the method, the query and whether the path names an object (path-style or virtual-hosted).</summary>
    private static string S3Method(HttpMethod method, Uri uri)
    {
        var query = uri.Query;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
        var virtualHosted = uri.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
            && !uri.Host.StartsWith("s3.", StringComparison.OrdinalIgnoreCase) && !uri.Host.StartsWith("s3-", StringComparison.OrdinalIgnoreCase);
        var bucketSegments = virtualHosted ? 0 : 1;
        var onObject = segments > bucketSegments;
        var onBucket = segments == bucketSegments && (virtualHosted || segments == 1);
        bool Has(string parameter) => query.Contains(parameter, StringComparison.Ordinal);

        return method.Method switch
        {
            "GET" when onObject => "GetObject",
            "GET" when onBucket && Has("list-type=2") => "ListObjectsV2",
            "GET" when onBucket && Has("versioning") => "GetBucketVersioning",
            "GET" when onBucket => "ListObjects",
            "GET" => "ListBuckets",
            "HEAD" when onObject => "HeadObject",
            "HEAD" => "HeadBucket",
            "PUT" when onObject && Has("partNumber=") => "UploadPart",
            "PUT" when onObject => "PutObject",
            "PUT" => "CreateBucket",
            "POST" when Has("uploads") => "CreateMultipartUpload",
            "POST" when Has("uploadId=") => "CompleteMultipartUpload",
            "POST" when Has("delete") => "DeleteObjects",
            "DELETE" when Has("uploadId=") => "AbortMultipartUpload",
            "DELETE" when onObject => "DeleteObject",
            "DELETE" => "DeleteBucket",
            _ => method.Method,
        };
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) || (request.Content?.Headers.TryGetValues(name, out values) ?? false)
            ? values!.FirstOrDefault()
            : null;
}
