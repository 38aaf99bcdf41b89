using Amazon.SQS;
using Amazon.SQS.Model;

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
                    // SQS takes at most 10 entries per batch call.
                    foreach (var chunk in messages.Chunk(10))
                    {
                        await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
                        {
                            QueueUrl = queueUrl,
                            Entries = [.. chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry
                            {
                                Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                                ReceiptHandle = m.ReceiptHandle,
                                VisibilityTimeout = visibilityTimeoutSeconds,
                            })],
                        }, _stop.Token);
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
