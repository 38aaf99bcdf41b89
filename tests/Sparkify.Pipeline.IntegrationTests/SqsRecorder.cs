using System.Reflection;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>
/// The real SQS client of one in-process worker, recording every message it received (with its
/// ApproximateReceiveCount, when the worker asked for it): which instance did the work, and how many receives each
/// message cost.
/// </summary>
public class SqsRecorder : DispatchProxy
{
    private IAmazonSQS _inner = null!;
    private readonly List<(string QueueUrl, Message Message)> _received = [];
    private readonly Dictionary<string, int> _calls = [];

    /// <summary>How many times the worker called <paramref name="method"/> (e.g. ChangeMessageVisibilityBatchAsync).</summary>
    public int Calls(string method)
    {
        lock (_calls)
        {
            return _calls.GetValueOrDefault(method);
        }
    }

    /// <summary>Every message received from the queue named <paramref name="queueName"/>, in order.</summary>
    public IReadOnlyList<Message> Received(string queueName)
    {
        lock (_received)
        {
            return [.. _received.Where(r => r.QueueUrl.EndsWith("/" + queueName, StringComparison.Ordinal)).Select(r => r.Message)];
        }
    }

    /// <summary>
    /// The messages received more than once (their ApproximateReceiveCount above 1): receives spent again. Every
    /// message must carry the count (the worker asks for it), else this throws rather than find nothing.
    /// </summary>
    public IReadOnlyList<string> ReceivedAgain(string queueName) =>
        [.. Received(queueName).Select(m => (m.MessageId, Count: m.Attributes?.GetValueOrDefault("ApproximateReceiveCount")
                ?? throw new InvalidOperationException($"message {m.MessageId} came without its ApproximateReceiveCount")))
            .Where(m => m.Count != "1").Select(m => $"{m.MessageId} (receive {m.Count})")];

    public static (IAmazonSQS Client, SqsRecorder Recorder) Wrap(IAmazonSQS inner)
    {
        var client = Create<IAmazonSQS, SqsRecorder>();
        var recorder = (SqsRecorder)(object)client;
        recorder._inner = inner;
        return (client, recorder);
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        lock (_calls)
        {
            _calls[method!.Name] = _calls.GetValueOrDefault(method.Name) + 1;
        }
        object? result;
        try
        {
            result = method.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            throw inner;
        }
        return method.Name == nameof(IAmazonSQS.ReceiveMessageAsync) && args?[0] is ReceiveMessageRequest request
            && result is Task<ReceiveMessageResponse> receive ? RecordAsync(request.QueueUrl, receive) : result;
    }

    private async Task<ReceiveMessageResponse> RecordAsync(string queueUrl, Task<ReceiveMessageResponse> receive)
    {
        var response = await receive;
        lock (_received)
        {
            _received.AddRange((response.Messages ?? []).Select(m => (queueUrl, m)));
        }
        return response;
    }
}
