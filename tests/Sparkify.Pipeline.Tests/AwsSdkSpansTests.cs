using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Hosting;
using Sparkify.Pipeline;

namespace Sparkify.Pipeline.Tests;

/// <summary>
/// Each S3 and SQS call of the real SDK clients is a client span named by its operation, open while the request is
/// sent, so the HttpClient's span of the request is its child (requests captured before they reach a network).
/// </summary>
public sealed class AwsSdkSpansTests : IDisposable
{
    private static readonly PipelineOptions Local = new() { Bucket = "bucket", AwsServiceUrl = "http://127.0.0.1:9" };
    private static readonly PipelineOptions Aws = new() { Bucket = "bucket", AwsRegion = "eu-west-1" };
    private static readonly BasicAWSCredentials Credentials = new("key", "secret");
    private readonly ActivityListener listener = new()
    {
        ShouldListenTo = source => source.Name.StartsWith("AWSSDK.", StringComparison.Ordinal),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public AwsSdkSpansTests()
    {
        AwsSdkTracing.Register();
        ActivitySource.AddActivityListener(listener);
    }

    public void Dispose() => listener.Dispose();

    public static TheoryData<string, string> S3Calls => new()
    {
        { "GetObject", "S3.GetObject" },
        { "ListObjectsV2", "S3.ListObjectsV2" },
        { "PutObject", "S3.PutObject" },
        { "HeadObject", "S3.GetObjectMetadata" }, // the SDK names its operations after its own methods
        { "DeleteObject", "S3.DeleteObject" },
        { "ListBuckets", "S3.ListBuckets" },
    };

    [Theory]
    [MemberData(nameof(S3Calls))]
    public async Task An_S3_call_is_a_client_span_named_by_its_operation_around_its_request(string call, string expected)
    {
        foreach (var options in new[] { Local, Aws })
        {
            var sending = await CaptureS3Async(options, call);
            Assert.NotNull(sending);
            Assert.Equal(expected, sending.DisplayName);
            Assert.Equal(ActivityKind.Client, sending.Kind);
            Assert.Equal(("aws-api", "S3", expected["S3.".Length..]), ((string?)sending.GetTagItem("rpc.system"), (string?)sending.GetTagItem("rpc.service"), (string?)sending.GetTagItem("rpc.method")));
            Assert.Null(sending.GetTagItem("messaging.system"));
        }
    }

    [Theory]
    [InlineData("ReceiveMessage", "receive")]
    [InlineData("SendMessageBatch", "send")]
    [InlineData("DeleteMessageBatch", "settle")]
    [InlineData("ChangeMessageVisibility", "settle")]
    [InlineData("GetQueueAttributes", null)]
    public async Task An_SQS_call_is_a_client_span_named_by_its_operation_and_messaging_kind(string call, string? operationType)
    {
        var sending = await CaptureSqsAsync(call);
        Assert.NotNull(sending);
        Assert.Equal($"SQS.{call}", sending.DisplayName);
        Assert.Equal(ActivityKind.Client, sending.Kind);
        Assert.Equal(("aws_sqs", call, operationType), ((string?)sending.GetTagItem("messaging.system"), (string?)sending.GetTagItem("messaging.operation.name"), (string?)sending.GetTagItem("messaging.operation.type")));
    }

    [Fact]
    public async Task The_operation_span_is_a_child_of_the_callers_span_and_ends_with_the_call()
    {
        using var caller = new ActivitySource("AWSSDK.Test.Caller");
        using var scan = caller.StartActivity("ingest scan");
        Assert.NotNull(scan);
        var sending = await CaptureSqsAsync("SendMessageBatch");
        Assert.NotNull(sending);
        Assert.Equal(scan.SpanId, sending.ParentSpanId);
        Assert.True(sending.IsStopped, "the span ends when the call does");
        Assert.Equal(ActivityStatusCode.Error, sending.Status);
        Assert.Same(scan, Activity.Current);
    }

    private static async Task<Activity?> CaptureS3Async(PipelineOptions options, string call)
    {
        var capture = new CapturingFactory();
        var config = new AmazonS3Config { HttpClientFactory = capture, MaxErrorRetry = 0 };
        AwsClients.ApplyEndpoint(config, options);
        using var s3 = new AmazonS3Client(Credentials, config);
        Task operation = call switch
        {
            "GetObject" => s3.GetObjectAsync("bucket", "log_data/2018/11/a.json"),
            "ListObjectsV2" => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "bucket", Prefix = "song_data/" }),
            "PutObject" => s3.PutObjectAsync(new PutObjectRequest { BucketName = "bucket", Key = "k/x.json", ContentBody = "{}" }),
            "HeadObject" => s3.GetObjectMetadataAsync("bucket", "k/x.json"),
            "DeleteObject" => s3.DeleteObjectAsync("bucket", "k/x.json"),
            "ListBuckets" => s3.ListBucketsAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };
        await Assert.ThrowsAnyAsync<Exception>(() => operation);
        return Assert.Single(capture.Requests).Sending;
    }

    private static async Task<Activity?> CaptureSqsAsync(string call)
    {
        var capture = new CapturingFactory();
        var config = new AmazonSQSConfig { HttpClientFactory = capture, MaxErrorRetry = 0 };
        AwsClients.ApplyEndpoint(config, Local);
        using var sqs = new AmazonSQSClient(Credentials, config);
        const string queue = "http://127.0.0.1:9/000000000000/q";
        Task operation = call switch
        {
            "ReceiveMessage" => sqs.ReceiveMessageAsync(queue),
            "SendMessageBatch" => sqs.SendMessageBatchAsync(queue, [new SendMessageBatchRequestEntry("1", "m")]),
            "DeleteMessageBatch" => sqs.DeleteMessageBatchAsync(queue, [new DeleteMessageBatchRequestEntry("1", "r")]),
            "ChangeMessageVisibility" => sqs.ChangeMessageVisibilityAsync(queue, "r", 0),
            "GetQueueAttributes" => sqs.GetQueueAttributesAsync(queue, ["All"]),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };
        await Assert.ThrowsAnyAsync<Exception>(() => operation);
        return Assert.Single(capture.Requests).Sending;
    }

    /// <summary>Gives the SDK an HttpClient whose handler keeps each request, and the span open as it is sent, and fails it, so nothing leaves the process.</summary>
    private sealed class CapturingFactory : HttpClientFactory
    {
        public List<(HttpRequestMessage Request, Activity? Sending)> Requests { get; } = [];

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new CapturingHandler(Requests));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class CapturingHandler(List<(HttpRequestMessage, Activity?)> requests) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                lock (requests)
                {
                    requests.Add((request, Activity.Current));
                }
                throw new HttpRequestException("captured, not sent");
            }
        }
    }
}
