using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The task roles, least privilege and exactly as the README's IAM list: named actions only (no wildcards), resources
/// scoped to the bucket's two prefixes, the two queues and the workers' database secret. The execution roles (image pull, logs, the database
/// secret) are separate; CDK makes one per task definition.
/// </summary>
internal static class TaskRoles
{
    public static readonly string[] SourcePrefixes = ["song_data/", "log_data/"];

    public static Role Ingest(Construct scope, IBucket bucket, IQueue files, IQueue deadLetters, IQueue arrivals, ISecret workerPassword)
    {
        var role = NewRole(scope, "IngestTaskRole", "Sparkify Ingest: lists the source prefixes or consumes their S3 events, and queues one message per file");
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ListSourcePrefixes",
            Actions = ["s3:ListBucket"],
            Resources = [bucket.BucketArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringLike"] = new Dictionary<string, object> { ["s3:prefix"] = SourcePrefixes.Select(p => p + "*").ToArray() },
            },
        }));
        role.AddToPolicy(ReadSourceObjects(bucket, "HeadDeadFiles"));
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PublishFiles", Actions = ["sqs:GetQueueUrl", "sqs:SendMessage"], Resources = [files.QueueArn],
        }));
        // The replay finds the dead-letter queue through the file queue's RedrivePolicy (DeadLetterQueue).
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "FindDeadLetters", Actions = ["sqs:GetQueueAttributes"], Resources = [files.QueueArn],
        }));
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReplayDeadLetters", Actions = ["sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:DeleteMessage"], Resources = [deadLetters.QueueArn],
        }));
        // Notification mode: the bucket's events (ArrivalsConsumer).
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ConsumeArrivals", Actions = ["sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:DeleteMessage"], Resources = [arrivals.QueueArn],
        }));
        role.AddToPolicy(ReadDatabasePassword(workerPassword));
        return role;
    }

    public static Role Transform(Construct scope, IBucket bucket, IQueue files, IQueue deadLetters, ISecret workerPassword)
    {
        var role = NewRole(scope, "TransformTaskRole", "Sparkify Transform: reads the source files and consumes the file queue");
        role.AddToPolicy(ReadSourceObjects(bucket, "ReadSourceFiles"));
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ConsumeFiles",
            Actions = ["sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                       "sqs:SendMessage"],
            Resources = [files.QueueArn],
        }));
        // The dead-letter sweep: a file whose message was dead-lettered unsettled is queued again (DeadLetterSweeper).
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "SweepDeadLetters", Actions = ["sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:DeleteMessage"], Resources = [deadLetters.QueueArn],
        }));
        role.AddToPolicy(ReadDatabasePassword(workerPassword));
        // Scale-in protection goes through the ECS agent's endpoint inside the task, which needs no IAM permission.
        return role;
    }

    /// <summary>The migration task talks to the database only: its role grants nothing.</summary>
    public static Role Migration(Construct scope) => NewRole(scope, "MigrationTaskRole", "Sparkify migration task: no AWS permissions");

    private static Role NewRole(Construct scope, string id, string description) =>
        new(scope, id, new RoleProps { AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"), Description = description });

    /// <summary>The workers read their (rotated) database password whenever they open a connection.</summary>
    private static PolicyStatement ReadDatabasePassword(ISecret secret) => new(new PolicyStatementProps
    {
        Sid = "ReadDatabasePassword", Actions = ["secretsmanager:GetSecretValue"], Resources = [secret.SecretArn],
    });

    private static PolicyStatement ReadSourceObjects(IBucket bucket, string sid) => new(new PolicyStatementProps
    {
        Sid = sid, Actions = ["s3:GetObject"], Resources = SourcePrefixes.Select(p => bucket.ArnForObjects(p + "*")).ToArray(),
    });
}
