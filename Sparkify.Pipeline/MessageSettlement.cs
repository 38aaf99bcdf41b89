using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Sparkify.Pipeline;

/// <summary>
/// Settles received messages — deletes them or changes their visibility — in SQS's batch calls: ten entries a call
/// (the SQS limit), a few calls at a time. Every caller that settles more than one message goes through here.
/// </summary>
public static class MessageSettlement
{
    private const int EntriesPerCall = 10;
    private const int CallsAtATime = 4;

    /// <returns>The entries SQS could not delete (their Id is the receipt handle's position in <paramref name="receiptHandles"/>).</returns>
    public static Task<List<BatchResultErrorEntry>> DeleteAsync(IAmazonSQS sqs, string queueUrl, IEnumerable<string> receiptHandles,
        CancellationToken cancellationToken) =>
        InCallsAsync(receiptHandles, async (entries, token) =>
            (await sqs.DeleteMessageBatchAsync(queueUrl,
                [.. entries.Select(e => new DeleteMessageBatchRequestEntry(e.Id, e.ReceiptHandle))], token)).Failed, cancellationToken);

    /// <summary>Makes the messages invisible for <paramref name="visibilityTimeoutSeconds"/> from now; 0 hands them back at once.</summary>
    /// <returns>The entries SQS refused (their Id is the receipt handle's position in <paramref name="receiptHandles"/>).</returns>
    public static Task<List<BatchResultErrorEntry>> ChangeVisibilityAsync(IAmazonSQS sqs, string queueUrl, IEnumerable<string> receiptHandles,
        int visibilityTimeoutSeconds, CancellationToken cancellationToken) =>
        InCallsAsync(receiptHandles, async (entries, token) =>
            (await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
            {
                QueueUrl = queueUrl,
                Entries = [.. entries.Select(e => new ChangeMessageVisibilityBatchRequestEntry
                {
                    Id = e.Id, ReceiptHandle = e.ReceiptHandle, VisibilityTimeout = visibilityTimeoutSeconds,
                })],
            }, token)).Failed, cancellationToken);

    /// <summary>
    /// Makes the messages visible again at once (best effort, within <paramref name="within"/>): another receiver, or this
    /// one restarted, takes them without waiting out their visibility timeout.
    /// </summary>
    /// <returns>Null when every message was handed back, else why not.</returns>
    public static async Task<string?> TryHandBackAsync(IAmazonSQS sqs, string queueUrl, IReadOnlyCollection<string> receiptHandles, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            var refused = await ChangeVisibilityAsync(sqs, queueUrl, receiptHandles, 0, timeout.Token);
            return refused.Count == 0 ? null : $"{refused.Count} refused: {refused[0].Code}";
        }
        catch (Exception exception) when (exception is AmazonSQSException or OperationCanceledException or HttpRequestException)
        {
            return exception.Message;
        }
    }

    private static async Task<List<BatchResultErrorEntry>> InCallsAsync(IEnumerable<string> receiptHandles,
        Func<(string Id, string ReceiptHandle)[], CancellationToken, Task<List<BatchResultErrorEntry>?>> call, CancellationToken cancellationToken)
    {
        var failed = new List<BatchResultErrorEntry>();
        var entries = receiptHandles.Select((handle, i) => (Id: i.ToString(CultureInfo.InvariantCulture), ReceiptHandle: handle));
        await Parallel.ForEachAsync(entries.Chunk(EntriesPerCall),
            new ParallelOptions { MaxDegreeOfParallelism = CallsAtATime, CancellationToken = cancellationToken },
            async (chunk, token) =>
            {
                if (await call(chunk, token) is { Count: > 0 } refused)
                {
                    lock (failed)
                    {
                        failed.AddRange(refused);
                    }
                }
            });
        return failed;
    }
}
