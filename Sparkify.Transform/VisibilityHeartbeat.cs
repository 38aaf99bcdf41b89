using Amazon.SQS;
using Amazon.SQS.Model;
using Sparkify.Pipeline;

namespace Sparkify.Transform;

/// <summary>Keeps received messages invisible while their files load, so a long file is not redelivered mid-load.</summary>
internal sealed class VisibilityHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public VisibilityHeartbeat(IAmazonSQS sqs, string queueUrl, IReadOnlyList<Message> messages, int visibilityTimeoutSeconds, ILogger logger)
    {
        _loop = Task.Run(async () =>
        {
            var period = TimeSpan.FromSeconds(Math.Max(1, visibilityTimeoutSeconds / 2));
            using var timer = new PeriodicTimer(period);
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    var refused = await MessageSettlement.ChangeVisibilityAsync(sqs, queueUrl, messages.Select(m => m.ReceiptHandle),
                        visibilityTimeoutSeconds, _stop.Token);
                    if (refused.Count > 0)
                    {
                        logger.LogWarning("Could not extend the visibility of {Count} message(s): {Reason}.", refused.Count, refused[0].Code);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The queue may be unreachable for a while: keep trying; the worst case is a redelivery, which
                    // only acknowledges a file already loaded.
                    logger.LogWarning(exception, "Could not extend the visibility of {Count} message(s).", messages.Count);
                }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
