using System.Reflection;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>The real SQS client, except that every SendMessageBatch waits until the test releases it: an Ingest caught in the middle of publishing.</summary>
public class HeldSends : DispatchProxy
{
    private IAmazonSQS _inner = null!;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first send is held.</summary>
    public Task Entered => _entered.Task;

    public void Release() => _released.TrySetResult();

    public static (IAmazonSQS Client, HeldSends Sends) Wrap(IAmazonSQS inner)
    {
        var client = Create<IAmazonSQS, HeldSends>();
        var held = (HeldSends)(object)client;
        held._inner = inner;
        return (client, held);
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name == nameof(IAmazonSQS.SendMessageBatchAsync))
        {
            return SendWhenReleasedAsync(method, args);
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

    private async Task<SendMessageBatchResponse> SendWhenReleasedAsync(MethodInfo method, object?[]? args)
    {
        _entered.TrySetResult();
        await _released.Task;
        return await (Task<SendMessageBatchResponse>)method.Invoke(_inner, args)!;
    }
}
