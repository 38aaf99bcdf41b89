using Amazon.CDK;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// A named queue and its dead-letter queue, both encrypted and TLS only: the queue's RedrivePolicy sends a message there
/// after <c>maxReceives</c> receives, and the dead-letter queue's redrive-allow policy admits that queue alone as a
/// source (the queue is named, so the policy can name its ARN without a dependency cycle).
/// </summary>
internal static class RedrivenQueue
{
    /// <param name="id">The queue's construct id; its dead-letter queue's is <paramref name="deadLetterId"/>.</param>
    /// <param name="nameSuffix">The queue's name after the stack's name (e.g. <c>-files</c>).</param>
    public static (Queue Queue, Queue DeadLetters) Create(
        Construct scope, string id, string deadLetterId, string nameSuffix, Duration visibilityTimeout, int maxReceives)
    {
        var stack = Stack.Of(scope);
        var name = stack.StackName + nameSuffix;
        var arn = stack.FormatArn(new ArnComponents { Service = "sqs", Resource = name });
        var deadLetters = new Queue(scope, deadLetterId, new QueueProps
        {
            RetentionPeriod = Duration.Days(14),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RedriveAllowPolicy = new RedriveAllowPolicy
            {
                RedrivePermission = RedrivePermission.BY_QUEUE,
                SourceQueues = [Queue.FromQueueArn(scope, id + "ByName", arn)],
            },
        });
        var queue = new Queue(scope, id, new QueueProps
        {
            QueueName = name,
            VisibilityTimeout = visibilityTimeout,
            RetentionPeriod = Duration.Days(4),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            DeadLetterQueue = new DeadLetterQueue { Queue = deadLetters, MaxReceiveCount = maxReceives },
            RedriveAllowPolicy = new RedriveAllowPolicy { RedrivePermission = RedrivePermission.DENY_ALL },
        });
        return (queue, deadLetters);
    }
}
