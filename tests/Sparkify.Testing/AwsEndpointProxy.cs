using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sparkify.Testing;

/// <summary>
/// A loopback HTTP proxy in front of the local S3/SQS endpoint, for one worker process: it forwards every request as
/// it is and sees what the worker does. It records what the worker received from SQS (each message with its
/// ApproximateReceiveCount) and which receipts it deleted, so a test can tell which messages a worker holds and how
/// many receives a message cost; and it can hold the worker's S3 reads — every GET of an object, or one object's body
/// after some bytes — to freeze the worker at a chosen point. Upstream unreachable: the connection is dropped, as
/// when the endpoint itself is down.
/// </summary>
public sealed class AwsEndpointProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly Lock _lock = new();
    private readonly List<ReceivedMessage> _received = [];
    private readonly HashSet<string> _deletedReceipts = [];
    private readonly CancellationTokenSource _release = new();
    private Func<string, bool>? _holdGets;
    private (Func<string, bool> Key, long AfterBytes)? _stallBody;
    private readonly TaskCompletionSource<string> _getHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _bodyStalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stallReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sendHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sendsAllowed = int.MaxValue;
    private int _stallTaken;

    /// <param name="QueueName">The queue's name (the last segment of its URL).</param>
    /// <param name="ReceiveCount">ApproximateReceiveCount: 1 on a message's first delivery.</param>
    public sealed record ReceivedMessage(string QueueName, string MessageId, string ReceiptHandle, int ReceiveCount, string Body);

    private AwsEndpointProxy(WebApplication app, HttpClient upstream, Uri target)
    {
        _app = app;
        _upstream = upstream;
        _target = target;
    }

    public string ServiceUrl { get; private set; } = "";

    public static async Task<AwsEndpointProxy> StartAsync(string upstreamServiceUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None, UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        }) { Timeout = Timeout.InfiniteTimeSpan };
        var proxy = new AwsEndpointProxy(app, upstream, new Uri(upstreamServiceUrl));
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        proxy.ServiceUrl = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return proxy;
    }

    /// <summary>Every SQS message the worker received from <paramref name="queueName"/>, in order (a redelivery again).</summary>
    public IReadOnlyList<ReceivedMessage> Received(string queueName)
    {
        lock (_lock)
        {
            return [.. _received.Where(m => m.QueueName == queueName)];
        }
    }

    /// <summary>The messages of <paramref name="queueName"/> the worker received and has not deleted (by message id).</summary>
    public IReadOnlyList<ReceivedMessage> Held(string queueName)
    {
        lock (_lock)
        {
            return [.. _received.Where(m => m.QueueName == queueName && !_deletedReceipts.Contains(m.ReceiptHandle))
                .GroupBy(m => m.MessageId).Select(g => g.Last())];
        }
    }

    /// <summary>From now on, every GET of an object whose key matches waits here until the proxy is disposed (or the worker dies).</summary>
    public void HoldObjectGets(Func<string, bool> key) => _holdGets = key;

    /// <summary>The first GET held by <see cref="HoldObjectGets"/>: completes with its object key.</summary>
    public Task<string> GetHeld => _getHeld.Task;

    /// <summary>The body of the first object whose key matches stops after <paramref name="afterBytes"/> bytes, until the proxy is disposed.</summary>
    public void StallObjectBody(Func<string, bool> key, long afterBytes) => _stallBody = (key, afterBytes);

    /// <summary>The body stalled by <see cref="StallObjectBody"/>: completes with its object key once those bytes were sent.</summary>
    public Task<string> BodyStalled => _bodyStalled.Task;

    /// <summary>The stalled body goes on to its end.</summary>
    public void ReleaseStall() => _stallReleased.TrySetResult();

    /// <summary>After <paramref name="batches"/> more SendMessageBatch calls, the next ones wait here until the proxy is disposed (or the worker dies).</summary>
    public void HoldSendsAfter(int batches) => Volatile.Write(ref _sendsAllowed, batches);

    /// <summary>The first SendMessageBatch held by <see cref="HoldSendsAfter"/>.</summary>
    public Task SendHeld => _sendHeld.Task;

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _release.Token).Token;
        var target = request.Headers["X-Amz-Target"].ToString();
        var objectKey = target.Length == 0 && request.Method is "GET" && !request.Query.ContainsKey("list-type") ? ObjectKey(request.Path) : null;
        if (objectKey is not null && _holdGets is { } hold && hold(objectKey))
        {
            _getHeld.TrySetResult(objectKey);
            await WaitAsync(Task.Delay(Timeout.Infinite, cancellation));
            context.Abort();
            return;
        }

        if (target == "AmazonSQS.SendMessageBatch" && Interlocked.Decrement(ref _sendsAllowed) < 0)
        {
            _sendHeld.TrySetResult();
            await WaitAsync(Task.Delay(Timeout.Infinite, cancellation));
            context.Abort();
            return;
        }
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path + request.QueryString));
        forward.Headers.Host = request.Host.Value;
        if (body.Length > 0 || request.ContentLength is not null)
        {
            forward.Content = new ByteArrayContent(body);
        }
        foreach (var (name, values) in request.Headers)
        {
            if (name is "Host" or "Content-Length" or "Transfer-Encoding" or "Connection" or "Expect")
            {
                continue;
            }
            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            context.Abort();
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name is not ("Transfer-Encoding" or "Connection" or "Keep-Alive"))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }
            if (target.StartsWith("AmazonSQS.", StringComparison.Ordinal))
            {
                var answer = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
                if (response.IsSuccessStatusCode)
                {
                    Record(target["AmazonSQS.".Length..], body, answer);
                }
                await context.Response.Body.WriteAsync(answer, context.RequestAborted);
                return;
            }
            await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            if (objectKey is not null && _stallBody is { } stall && stall.Key(objectKey) && Interlocked.Exchange(ref _stallTaken, 1) == 0)
            {
                await CopyAsync(stream, context.Response.Body, stall.AfterBytes, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                _bodyStalled.TrySetResult(objectKey);
                await WaitAsync(Task.WhenAny(_stallReleased.Task, Task.Delay(Timeout.Infinite, cancellation)));
                if (!_stallReleased.Task.IsCompleted || context.RequestAborted.IsCancellationRequested)
                {
                    context.Abort();
                    return;
                }
            }
            await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    /// <summary>Waits for a hold to end, whether released or cancelled.</summary>
    private static async Task WaitAsync(Task hold)
    {
        try
        {
            await hold;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, long bytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (bytes > 0)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes)), cancellationToken);
            if (read == 0)
            {
                return;
            }
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            bytes -= read;
        }
    }

    /// <summary>Path-style S3: /bucket/key.</summary>
    private static string? ObjectKey(PathString path)
    {
        var value = path.Value ?? "";
        var slash = value.IndexOf('/', 1);
        return slash < 0 || slash == value.Length - 1 ? null : Uri.UnescapeDataString(value[(slash + 1)..]);
    }

    private void Record(string operation, byte[] request, byte[] response)
    {
        switch (operation)
        {
            case "ReceiveMessage":
            {
                var queue = QueueName(JsonNode.Parse(request)!["QueueUrl"]!.GetValue<string>());
                var messages = JsonNode.Parse(response)?["Messages"]?.AsArray() ?? [];
                lock (_lock)
                {
                    foreach (var message in messages)
                    {
                        var count = message!["Attributes"]?["ApproximateReceiveCount"]?.GetValue<string>();
                        _received.Add(new ReceivedMessage(queue, message["MessageId"]!.GetValue<string>(), message["ReceiptHandle"]!.GetValue<string>(),
                            count is null ? 0 : int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), message["Body"]?.GetValue<string>() ?? ""));
                    }
                }
                break;
            }
            case "DeleteMessage":
                lock (_lock)
                {
                    _deletedReceipts.Add(JsonNode.Parse(request)!["ReceiptHandle"]!.GetValue<string>());
                }
                break;
            case "DeleteMessageBatch":
            {
                var failed = (JsonNode.Parse(response)?["Failed"]?.AsArray() ?? []).Select(f => f!["Id"]!.GetValue<string>()).ToHashSet();
                lock (_lock)
                {
                    foreach (var entry in JsonNode.Parse(request)!["Entries"]!.AsArray())
                    {
                        if (!failed.Contains(entry!["Id"]!.GetValue<string>()))
                        {
                            _deletedReceipts.Add(entry["ReceiptHandle"]!.GetValue<string>());
                        }
                    }
                }
                break;
            }
        }
    }

    private static string QueueName(string queueUrl) => queueUrl[(queueUrl.LastIndexOf('/') + 1)..];

    public async ValueTask DisposeAsync()
    {
        await _release.CancelAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
        _upstream.Dispose();
        _release.Dispose();
    }
}
