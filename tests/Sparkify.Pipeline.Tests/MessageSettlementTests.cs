using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.SQS;
using Sparkify.Pipeline;

namespace Sparkify.Pipeline.Tests;

/// <summary>
/// Settling messages through the real SDK client, answered in process by a fake SQS that speaks its JSON protocol:
/// every receipt handle goes out once, at most ten a call, and what SQS refuses comes back to the caller.
/// </summary>
public sealed class MessageSettlementTests
{
    private const string Queue = "http://127.0.0.1:9/000000000000/files";

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(25)]
    public async Task Deletes_every_message_once_in_calls_of_at_most_ten(int count)
    {
        var sqs = new FakeSqs();
        var handles = Enumerable.Range(0, count).Select(i => $"h{i}").ToList();
        var failed = await MessageSettlement.DeleteAsync(sqs.Client, Queue, handles, CancellationToken.None);
        Assert.Empty(failed);
        Assert.All(sqs.Calls, call => Assert.Equal("DeleteMessageBatch", call.Operation));
        Assert.All(sqs.Calls, call => Assert.InRange(call.Entries.Count, 1, 10));
        Assert.Equal(handles.Order(), sqs.Calls.SelectMany(c => c.Entries).Select(e => e.ReceiptHandle).Order());
        Assert.Equal((count + 9) / 10, sqs.Calls.Count);
    }

    [Fact]
    public async Task Changes_visibility_of_every_message_to_the_timeout_given_and_returns_what_SQS_refused()
    {
        var sqs = new FakeSqs { Refuse = handle => handle is "h3" or "h17" };
        var handles = Enumerable.Range(0, 23).Select(i => $"h{i}").ToList();
        var refused = await MessageSettlement.ChangeVisibilityAsync(sqs.Client, Queue, handles, 90, CancellationToken.None);
        var entries = sqs.Calls.SelectMany(c => c.Entries).ToList();
        Assert.Equal(handles.Order(), entries.Select(e => e.ReceiptHandle).Order());
        Assert.All(entries, e => Assert.Equal(90, e.VisibilityTimeout));
        Assert.All(sqs.Calls, call => Assert.InRange(call.Entries.Count, 1, 10));
        // The ids say which handles were refused: their positions in the list given.
        Assert.Equal(["17", "3"], refused.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Handing_back_is_visibility_zero_and_says_why_when_it_cannot()
    {
        var sqs = new FakeSqs();
        Assert.Null(await MessageSettlement.TryHandBackAsync(sqs.Client, Queue, ["a", "b"], TimeSpan.FromSeconds(30)));
        Assert.All(sqs.Calls.SelectMany(c => c.Entries), e => Assert.Equal(0, e.VisibilityTimeout));

        var refusing = new FakeSqs { Refuse = _ => true };
        Assert.Contains("2 refused", await MessageSettlement.TryHandBackAsync(refusing.Client, Queue, ["a", "b"], TimeSpan.FromSeconds(30)));

        var down = new FakeSqs { Down = true };
        Assert.NotNull(await MessageSettlement.TryHandBackAsync(down.Client, Queue, ["a"], TimeSpan.FromSeconds(30)));
    }

    private sealed record Entry(string Id, string ReceiptHandle, int? VisibilityTimeout);

    private sealed record Call(string Operation, List<Entry> Entries);

    private sealed class FakeSqs : HttpClientFactory
    {
        private readonly List<Call> _calls = [];

        public FakeSqs()
        {
            var config = new AmazonSQSConfig { HttpClientFactory = this, MaxErrorRetry = 0 };
            AwsClients.ApplyEndpoint(config, new PipelineOptions { Bucket = "bucket", AwsServiceUrl = "http://127.0.0.1:9" });
            Client = new AmazonSQSClient(new BasicAWSCredentials("key", "secret"), config);
        }

        public AmazonSQSClient Client { get; }

        public Func<string, bool> Refuse { get; init; } = _ => false;

        public bool Down { get; init; }

        public List<Call> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class Handler(FakeSqs sqs) : HttpMessageHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (sqs.Down)
                {
                    throw new HttpRequestException("connection refused");
                }
                var operation = request.Headers.GetValues("X-Amz-Target").Single()["AmazonSQS.".Length..];
                var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
                var entries = body["Entries"]!.AsArray().Select(e => new Entry(
                    (string)e!["Id"]!, (string)e["ReceiptHandle"]!, (int?)e["VisibilityTimeout"])).ToList();
                lock (sqs._calls)
                {
                    sqs._calls.Add(new Call(operation, entries));
                }
                var response = new
                {
                    Successful = entries.Where(e => !sqs.Refuse(e.ReceiptHandle)).Select(e => new { e.Id }),
                    Failed = entries.Where(e => sqs.Refuse(e.ReceiptHandle))
                        .Select(e => new { e.Id, Code = "ReceiptHandleIsInvalid", Message = "refused", SenderFault = true }),
                };
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent(JsonSerializer.Serialize(response), Encoding.UTF8, "application/x-amz-json-1.0"),
                };
            }
        }
    }
}
