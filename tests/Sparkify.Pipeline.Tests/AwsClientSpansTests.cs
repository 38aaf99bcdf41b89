using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Hosting;
using Sparkify.Pipeline;

namespace Sparkify.Pipeline.Tests;

/// <summary>The span names come from the requests the real SDK clients send (captured before they reach a network).</summary>
public sealed class AwsClientSpansTests
{
    private static readonly PipelineOptions Local = new() { Bucket = "bucket", AwsServiceUrl = "http://127.0.0.1:9" };
    private static readonly PipelineOptions Aws = new() { Bucket = "bucket", AwsRegion = "eu-west-1" };
    private static readonly BasicAWSCredentials Credentials = new("key", "secret");

    public static TheoryData<string, string> S3Calls => new()
    {
        { "GetObject", "S3.GetObject" },
        { "ListObjectsV2", "S3.ListObjectsV2" },
        { "PutObject", "S3.PutObject" },
        { "HeadObject", "S3.HeadObject" },
        { "DeleteObject", "S3.DeleteObject" },
        { "ListBuckets", "S3.ListBuckets" },
    };

    [Theory]
    [MemberData(nameof(S3Calls))]
    public async Task An_S3_call_is_named_by_its_operation_on_a_local_endpoint_and_on_AWS(string call, string expected)
    {
        foreach (var options in new[] { Local, Aws })
        {
            var request = await CaptureS3Async(options, call);
            var described = AwsClientSpans.Describe(request);
            Assert.NotNull(described);
            Assert.Equal(expected, $"{described.Service}.{described.Method}");
            Assert.Null(described.MessagingOperation);
        }
    }

    [Theory]
    [InlineData("ReceiveMessage", "receive")]
    [InlineData("SendMessageBatch", "send")]
    [InlineData("DeleteMessageBatch", "settle")]
    [InlineData("ChangeMessageVisibility", "settle")]
    [InlineData("GetQueueAttributes", null)]
    public async Task An_SQS_call_is_named_by_its_operation_and_messaging_kind(string call, string? operationType)
    {
        var request = await CaptureSqsAsync(call);
        var described = AwsClientSpans.Describe(request);
        Assert.NotNull(described);
        Assert.Equal(("SQS", call, operationType), (described.Service, described.Method, described.MessagingOperation));
    }

    [Fact]
    public void Other_HTTP_calls_are_left_alone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:18888/v1/traces");
        Assert.Null(AwsClientSpans.Describe(request));
    }

    private static async Task<HttpRequestMessage> CaptureS3Async(PipelineOptions options, string call)
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
        return Assert.Single(capture.Requests);
    }

    private static async Task<HttpRequestMessage> CaptureSqsAsync(string call)
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
        return Assert.Single(capture.Requests);
    }

    /// <summary>Gives the SDK an HttpClient whose handler keeps each request and fails it, so nothing leaves the process.</summary>
    private sealed class CapturingFactory : HttpClientFactory
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new CapturingHandler(Requests));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class CapturingHandler(List<HttpRequestMessage> requests) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                lock (requests)
                {
                    requests.Add(request);
                }
                throw new HttpRequestException("captured, not sent");
            }
        }
    }
}
