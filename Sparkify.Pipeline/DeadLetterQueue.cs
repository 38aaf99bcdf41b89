using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline.Hosting;

namespace Sparkify.Pipeline;

/// <summary>
/// The file queue's dead-letter queue is whatever its RedrivePolicy names (<c>deadLetterTargetArn</c>): that is where
/// SQS moves a message after its last receive, so no setting of the workers names it. Found once (GetQueueAttributes,
/// then GetQueueUrl; SQS keeps a dead-letter queue in the file queue's account and region) at the start of the workers
/// that need it — Transform's sweep, Ingest's replay — which refuse to start when the queue has no such policy.
/// </summary>
public sealed class DeadLetterQueue(IAmazonSQS sqs, IOptions<PipelineOptions> pipeline)
{
    private Address? _found;

    public sealed record Address(string Name, string Url);

    /// <exception cref="FatalWorkerException">The file queue, its RedrivePolicy or the queue it names is missing.</exception>
    public async Task<Address> FindAsync(CancellationToken cancellationToken)
    {
        if (_found is { } found)
        {
            return found;
        }
        var queueName = pipeline.Value.QueueName;
        string queueUrl;
        try
        {
            queueUrl = (await sqs.GetQueueUrlAsync(queueName, cancellationToken)).QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
            throw new FatalWorkerException($"the file queue {queueName} does not exist (Sparkify__QueueName).");
        }
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["RedrivePolicy"] },
            cancellationToken);
        var policy = attributes.Attributes?.GetValueOrDefault("RedrivePolicy");
        var name = TargetName(policy)
                   ?? throw new FatalWorkerException(
                       $"the file queue {queueName} has no RedrivePolicy naming a dead-letter queue (deadLetterTargetArn; it has " +
                       $"{(string.IsNullOrWhiteSpace(policy) ? "none" : policy)}): a poison file would come back forever, and its message " +
                       "could not be found for a replay. Give the queue a dead-letter queue.");
        try
        {
            return _found = new Address(name, (await sqs.GetQueueUrlAsync(name, cancellationToken)).QueueUrl);
        }
        catch (QueueDoesNotExistException)
        {
            throw new FatalWorkerException($"the dead-letter queue {name}, which the RedrivePolicy of {queueName} names, does not exist.");
        }
    }

    /// <summary>The queue name at the end of a RedrivePolicy's <c>deadLetterTargetArn</c> (arn:aws:sqs:region:account:name), or null.</summary>
    public static string? TargetName(string? redrivePolicy)
    {
        if (string.IsNullOrWhiteSpace(redrivePolicy))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(redrivePolicy);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("deadLetterTargetArn", out var arn) || arn.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            var parts = arn.GetString()!.Split(':');
            return parts.Length == 6 && parts[0] == "arn" && parts[2] == "sqs" && parts[5].Length > 0 ? parts[5] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
