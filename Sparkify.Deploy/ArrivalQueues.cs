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
        // Ingest holds a message until its window is recorded (window + 300 s, ArrivalsConsumer).
        (Arrivals, DeadLetters) = RedrivenQueue.Create(scope, "Arrivals", "ArrivalDeadLetters", "-arrivals", Duration.Seconds(600), MaxReceives);
        foreach (var prefix in TaskRoles.SourcePrefixes)
        {
            bucket.AddEventNotification(EventType.OBJECT_CREATED, new SqsDestination(Arrivals), new NotificationKeyFilter { Prefix = prefix });
        }
    }

    public Queue Arrivals { get; }

    public Queue DeadLetters { get; }
}
