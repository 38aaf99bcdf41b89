using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The product on AWS: the network, the source bucket, the file queue with its dead-letter queue, the warehouse
/// database, the workers on ECS Fargate, alarms, and outputs with everything a user needs next.
/// </summary>
public sealed class SparkifyStack : Stack
{
    public SparkifyStack(Construct scope, string id, DeploySettings settings, IStackProps? props = null) : base(scope, id, props)
    {
        Settings = settings;
        var network = new SparkifyNetwork(this, "Network", settings);

        IBucket bucket = string.IsNullOrWhiteSpace(settings.BucketName)
            ? new Bucket(this, "Source", new BucketProps
            {
                Encryption = BucketEncryption.S3_MANAGED,
                BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
                EnforceSSL = true,
                RemovalPolicy = RemovalPolicy.RETAIN,
            })
            : Bucket.FromBucketName(this, "Source", settings.BucketName);

        var deadLetters = new Queue(this, "DeadLetters", new QueueProps
        {
            RetentionPeriod = Duration.Days(14), Encryption = QueueEncryption.SQS_MANAGED, EnforceSSL = true,
        });
        var files = new Queue(this, "Files", new QueueProps
        {
            VisibilityTimeout = Duration.Seconds(settings.VisibilityTimeoutSeconds),
            RetentionPeriod = Duration.Days(4),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            // The same number the Transform gets as Sparkify__Transform__MaxReceives.
            DeadLetterQueue = new DeadLetterQueue { Queue = deadLetters, MaxReceiveCount = settings.MaxReceives },
        });

        var database = new WarehouseDatabase(this, "Warehouse", settings, network);
        var workers = new SparkifyWorkers(this, "Workers", settings, network, database, bucket, files, deadLetters);

        var alarms = new Topic(this, "Alarms", new TopicProps { DisplayName = "Sparkify alarms" });
        if (!string.IsNullOrWhiteSpace(settings.AlarmEmail))
        {
            alarms.AddSubscription(new EmailSubscription(settings.AlarmEmail));
        }
        var notify = new SnsAction(alarms);
        new Alarm(this, "DeadLettersAlarm", new AlarmProps
        {
            AlarmDescription = "A file's message reached the dead-letter queue: see the batch's failure reason, fix the file, replay (README).",
            Metric = deadLetters.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(5), Statistic = "Maximum" }),
            Threshold = 0,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 1,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        }).AddAlarmAction(notify);
        new Alarm(this, "OldestMessageAlarm", new AlarmProps
        {
            AlarmDescription = "Files have waited too long in the queue: is the Transform service running and healthy?",
            Metric = files.MetricApproximateAgeOfOldestMessage(new MetricOptions { Period = Duration.Minutes(5), Statistic = "Maximum" }),
            Threshold = settings.OldestMessageAlarmSeconds,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 2,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        }).AddAlarmAction(notify);

        Output("BucketName", bucket.BucketName, "Upload song_data/ and log_data/ here");
        Output("FileQueueUrl", files.QueueUrl, "The file queue");
        Output("DeadLetterQueueUrl", deadLetters.QueueUrl, "Dead letters: files that failed every receive");
        Output("DatabaseEndpoint", $"{database.Host}:{database.Port}", "The warehouse database (private)");
        Output("DatabaseSecretArn", database.Secret.SecretArn, "Its credentials (username, password)");
        Output("ClusterName", workers.Cluster.ClusterName, "The ECS cluster");
        Output("TransformServiceName", workers.TransformService.ServiceName, "The Transform service");
        Output("IngestTaskDefinitionArn", workers.Ingest.TaskDefinitionArn, "Run it once more, or with Sparkify__Ingest__Mode=ReplayDeadLetters");
        Output("LogGroups", Fn.Join(" ", workers.LogGroups.Select(g => g.LogGroupName).ToArray()), "Migration, Ingest and Transform logs");
        Output("AlarmTopicArn", alarms.TopicArn, "Subscribe to the alarms");
        Output("TasksSecurityGroupId", network.Tasks.SecurityGroupId, "An existing database must admit this group");
        var subnets = Fn.Join(",", network.Vpc.SelectSubnets(network.Workers).SubnetIds);
        Output("RunMigrationCommand",
            $"aws ecs run-task --cluster {workers.Cluster.ClusterName} --task-definition {workers.Migration.TaskDefinitionArn} --launch-type FARGATE " +
            $"--network-configuration awsvpcConfiguration={{subnets=[{subnets}],securityGroups=[{network.Tasks.SecurityGroupId}],assignPublicIp=DISABLED}}",
            "Creates or migrates the warehouse tables: run it before the services start, and after every upgrade");
        Workers = workers;
    }

    public DeploySettings Settings { get; }

    internal SparkifyWorkers Workers { get; }

    private void Output(string name, string value, string description) =>
        new CfnOutput(this, name, new CfnOutputProps { Value = value, Description = description });
}
