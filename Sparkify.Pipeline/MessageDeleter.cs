using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Sparkify.Pipeline;

/// <summary>Deletes received messages in batches of ten (the SQS limit), a few calls at a time.</summary>
public static class MessageDeleter
{
    /// <returns>The entries SQS could not delete.</returns>
    public static async Task<List<BatchResultErrorEntry>> DeleteAsync(IAmazonSQS sqs, string queueUrl, IEnumerable<string> receiptHandles,
        CancellationToken cancellationToken)
    {
        var failed = new List<BatchResultErrorEntry>();
        await Parallel.ForEachAsync(receiptHandles.Chunk(10), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (chunk, token) =>
            {
                var response = await sqs.DeleteMessageBatchAsync(queueUrl,
                    [.. chunk.Select((handle, i) => new DeleteMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), handle))], token);
                if (response.Failed is { Count: > 0 } refused)
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
