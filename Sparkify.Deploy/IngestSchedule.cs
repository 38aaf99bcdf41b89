using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// Runs the Ingest task on a schedule. A launch that fails (capacity, throttling, a missing image) is retried for up to
/// an hour, then kept in a dead-letter queue of its own with the reason; both are alarmed on (<see cref="OnCall"/>).
/// A scan takes seconds and costs nothing between runs; a run that overlaps a slow one skips (Ingest holds an
/// advisory lock), and each run first resumes a batch whose publishing was interrupted.
/// </summary>
internal sealed class IngestSchedule : Construct
{
    public IngestSchedule(Construct scope, string id, DeploySettings settings, ICluster cluster, FargateTaskDefinition ingest,
        SubnetSelection subnets, ISecurityGroup tasks) : base(scope, id)
    {
        DeadLetters = new Queue(this, "DeadLetters", new QueueProps
        {
            RetentionPeriod = Duration.Days(14),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RedriveAllowPolicy = new RedriveAllowPolicy { RedrivePermission = RedrivePermission.DENY_ALL },
        });
        NagSuppressions.Add(DeadLetters, "AwsSolutions-SQS3",
            "This queue is itself a dead-letter queue: EventBridge's, for Ingest launches that failed every retry (SQS3 only recognises dead-letter queues of other queues).");
        Rule = new Rule(this, "Rule", new RuleProps
        {
            Description = "Runs the Sparkify Ingest task (Once mode)",
            Schedule = Amazon.CDK.AWS.Events.Schedule.Expression(settings.IngestSchedule),
        });
        Rule.AddTarget(new EcsTask(new EcsTaskProps
        {
            Cluster = cluster,
            TaskDefinition = ingest,
            LaunchType = LaunchType.FARGATE,
            SubnetSelection = subnets,
            SecurityGroups = [tasks],
            AssignPublicIp = false,
            RetryAttempts = 5,
            MaxEventAge = Duration.Hours(1),
            DeadLetterQueue = DeadLetters,
        }));
    }

    public Rule Rule { get; }

    /// <summary>EventBridge's dead letters: scheduled runs that could not be launched.</summary>
    public Queue DeadLetters { get; }
}
