using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;

namespace Sparkify.Transform;

/// <summary>
/// At start, the file queue must be what the poison-file rules assume: a RedrivePolicy whose maxReceiveCount equals
/// <see cref="TransformOptions.MaxReceives"/> (otherwise a failing file is dead-lettered before it is marked failed,
/// and its batch never completes, or it is marked failed with receives left), and a retention period longer than all
/// of a message's receives can take (otherwise a message expires before it can be dead-lettered: the file is lost).
/// </summary>
public sealed class QueueRedriveCheck(
    IAmazonSQS sqs, QueueFacts facts, DeadLetterQueue deadLetters, IOptions<PipelineOptions> pipeline, IOptions<TransformOptions> options,
    ILogger<QueueRedriveCheck> logger)
{
    /// <returns>The queue's URL, once it passed.</returns>
    public async Task<string> VerifyAsync(CancellationToken cancellationToken)
    {
        var name = pipeline.Value.QueueName;
        string queueUrl;
        try
        {
            queueUrl = (await sqs.GetQueueUrlAsync(name, cancellationToken)).QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
            throw new FatalWorkerException($"the file queue {name} does not exist (Sparkify__QueueName).");
        }
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl, AttributeNames = ["RedrivePolicy", "VisibilityTimeout", "MessageRetentionPeriod"],
        }, cancellationToken);
        var problems = Problems(name, attributes.Attributes ?? [], options.Value);
        if (problems.Count > 0)
        {
            throw new FatalWorkerException(string.Join(" ", problems));
        }
        if (attributes.Attributes?.TryGetValue("MessageRetentionPeriod", out var retention) == true
            && int.TryParse(retention, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            facts.MessageRetentionSeconds = seconds;
        }
        // The dead-letter queue the sweep reads: the one the policy names, found now so that a missing one stops the start.
        var deadLetterQueue = await deadLetters.FindAsync(cancellationToken);
        logger.LogInformation("Queue {Queue}: RedrivePolicy to {DeadLetterQueue} after {MaxReceives} receives, as configured.", name,
            deadLetterQueue.Name, options.Value.MaxReceives);
        return queueUrl;
    }

    /// <summary>What is wrong with a queue's attributes for these options (empty: nothing).</summary>
    public static List<string> Problems(string queueName, IReadOnlyDictionary<string, string> attributes, TransformOptions options)
    {
        var problems = new List<string>();
        var maxReceiveCount = attributes.TryGetValue("RedrivePolicy", out var policy) ? MaxReceiveCount(policy) : null;
        if (maxReceiveCount is null)
        {
            problems.Add($"The queue {queueName} has no RedrivePolicy with a maxReceiveCount: a poison file would come back forever. " +
                         $"Give it a dead-letter queue with maxReceiveCount = {options.MaxReceives} (Sparkify__Transform__MaxReceives).");
        }
        else if (maxReceiveCount != options.MaxReceives)
        {
            problems.Add($"The queue {queueName} moves a message to its dead-letter queue after {maxReceiveCount} receive(s), but " +
                         $"Sparkify__Transform__MaxReceives is {options.MaxReceives}: they must be equal, or a failing file is " +
                         "dead-lettered without being marked failed (its batch never completes) or marked failed with receives left. " +
                         $"Set Sparkify__Transform__MaxReceives={maxReceiveCount}, or change the queue.");
        }
        var receives = Math.Max(maxReceiveCount ?? options.MaxReceives, options.MaxReceives);
        if (attributes.TryGetValue("MessageRetentionPeriod", out var retentionText)
            && int.TryParse(retentionText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var retention)
            && retention < 2L * receives * options.VisibilityTimeoutSeconds)
        {
            problems.Add($"The queue {queueName} keeps messages {retention} s, less than twice what {receives} receive(s) of " +
                         $"{options.VisibilityTimeoutSeconds} s visibility take: a file's message could expire before it is " +
                         "loaded or dead-lettered. Raise the retention period or lower Sparkify__Transform__VisibilityTimeoutSeconds.");
        }
        if (options.VisibilityTimeoutSeconds <= options.RetryDelaySeconds)
        {
            problems.Add($"Sparkify__Transform__VisibilityTimeoutSeconds ({options.VisibilityTimeoutSeconds}) must be longer than " +
                         $"Sparkify__Transform__RetryDelaySeconds ({options.RetryDelaySeconds}).");
        }
        return problems;
    }

    /// <summary>The maxReceiveCount of a RedrivePolicy document (SQS gives it as a string or a number), or null.</summary>
    public static int? MaxReceiveCount(string? redrivePolicy)
    {
        if (string.IsNullOrWhiteSpace(redrivePolicy))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(redrivePolicy);
            if (!document.RootElement.TryGetProperty("maxReceiveCount", out var count))
            {
                return null;
            }
            return count.ValueKind switch
            {
                JsonValueKind.Number when count.TryGetInt32(out var number) => number,
                JsonValueKind.String when int.TryParse(count.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
