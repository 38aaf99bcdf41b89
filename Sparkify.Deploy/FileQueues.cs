using Amazon.CDK;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The file queue and its dead-letter queue: encrypted, TLS only, the RedrivePolicy's maxReceiveCount the same number
/// the Transform is given, and a redrive-allow policy that admits the file queue alone as a source of dead letters.
/// </summary>
internal sealed class FileQueues
{
    public FileQueues(Construct scope, DeploySettings settings)
    {
        var stack = Stack.Of(scope);
        // Named, so that the dead-letter queue's redrive-allow policy can name the file queue's ARN without a
        // dependency cycle (the file queue's RedrivePolicy already names the dead-letter queue).
        var filesName = stack.StackName + "-files";
        var filesArn = stack.FormatArn(new ArnComponents { Service = "sqs", Resource = filesName });
        DeadLetters = new Queue(scope, "DeadLetters", new QueueProps
        {
            RetentionPeriod = Duration.Days(14),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RedriveAllowPolicy = new RedriveAllowPolicy
            {
                RedrivePermission = RedrivePermission.BY_QUEUE,
                SourceQueues = [Queue.FromQueueArn(scope, "FilesByName", filesArn)],
            },
        });
        Files = new Queue(scope, "Files", new QueueProps
        {
            QueueName = filesName,
            VisibilityTimeout = Duration.Seconds(settings.VisibilityTimeoutSeconds),
            RetentionPeriod = Duration.Days(4),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            // The same number the Transform gets as Sparkify__Transform__MaxReceives.
            DeadLetterQueue = new DeadLetterQueue { Queue = DeadLetters, MaxReceiveCount = settings.MaxReceives },
            RedriveAllowPolicy = new RedriveAllowPolicy { RedrivePermission = RedrivePermission.DENY_ALL },
        });
    }

    public Queue Files { get; }

    public Queue DeadLetters { get; }
}
