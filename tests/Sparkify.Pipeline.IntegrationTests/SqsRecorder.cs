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
    private readonly List<Message> _received = [];

    /// <summary>Every message received, in order.</summary>
    public IReadOnlyList<Message> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The receives each message cost beyond its first, by message id (none when no receive was spent twice).</summary>
    public IReadOnlyList<string> ReceivedAgain() =>
        [.. Received.Where(m => m.Attributes?.TryGetValue("ApproximateReceiveCount", out var count) == true && count != "1")
            .Select(m => $"{m.MessageId} (receive {m.Attributes!["ApproximateReceiveCount"]})")];

    public static (IAmazonSQS Client, SqsRecorder Recorder) Wrap(IAmazonSQS inner)
    {
        var client = Create<IAmazonSQS, SqsRecorder>();
        var recorder = (SqsRecorder)(object)client;
        recorder._inner = inner;
        return (client, recorder);
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        object? result;
        try
        {
            result = method!.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            throw inner;
        }
        return method.Name == nameof(IAmazonSQS.ReceiveMessageAsync) && result is Task<ReceiveMessageResponse> receive ? RecordAsync(receive) : result;
    }

    private async Task<ReceiveMessageResponse> RecordAsync(Task<ReceiveMessageResponse> receive)
    {
        var response = await receive;
        lock (_received)
        {
            _received.AddRange(response.Messages ?? []);
        }
        return response;
    }
}
