using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.S3.Notifications;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// Notification mode's arrivals queue: the source bucket's <c>s3:ObjectCreated:*</c> events for each source prefix,
/// encrypted, TLS only, with a dead-letter queue of its own (a message Ingest cannot record in five receives is kept
/// there, and the scheduled scan loads its files all the same).
/// </summary>
internal sealed class ArrivalQueues
{
    public const int MaxReceives = 5;

    public ArrivalQueues(Construct scope, IBucket bucket)
    {
        var stack = Stack.Of(scope);
        var arrivalsName = stack.StackName + "-arrivals";
        var arrivalsArn = stack.FormatArn(new ArnComponents { Service = "sqs", Resource = arrivalsName });
        DeadLetters = new Queue(scope, "ArrivalDeadLetters", new QueueProps
        {
            RetentionPeriod = Duration.Days(14),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RedriveAllowPolicy = new RedriveAllowPolicy
            {
                RedrivePermission = RedrivePermission.BY_QUEUE,
                SourceQueues = [Queue.FromQueueArn(scope, "ArrivalsByName", arrivalsArn)],
            },
        });
        Arrivals = new Queue(scope, "Arrivals", new QueueProps
        {
            QueueName = arrivalsName,
            // Ingest holds a message until its window is recorded (window + 300 s, ArrivalsConsumer).
            VisibilityTimeout = Duration.Seconds(600),
            RetentionPeriod = Duration.Days(4),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            DeadLetterQueue = new DeadLetterQueue { Queue = DeadLetters, MaxReceiveCount = MaxReceives },
            RedriveAllowPolicy = new RedriveAllowPolicy { RedrivePermission = RedrivePermission.DENY_ALL },
        });
        foreach (var prefix in TaskRoles.SourcePrefixes)
        {
            bucket.AddEventNotification(EventType.OBJECT_CREATED, new SqsDestination(Arrivals), new NotificationKeyFilter { Prefix = prefix });
        }
    }

    public Queue Arrivals { get; }

    public Queue DeadLetters { get; }
}
