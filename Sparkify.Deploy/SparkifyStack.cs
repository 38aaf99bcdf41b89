using Amazon.CDK;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The product on AWS: the network, the source and log buckets, the file queue with its dead-letter queue, the
/// warehouse database, the workers on ECS Fargate, on-call alarms, and outputs with everything a user needs next.
/// </summary>
public sealed class SparkifyStack : Stack
{
    public SparkifyStack(Construct scope, string id, DeploySettings settings, IStackProps? props = null) : base(scope, id, props)
    {
        Settings = settings;
        var storage = new SourceStorage(this, settings);
        var network = new SparkifyNetwork(this, "Network", settings, storage.Logs);
        var bucket = storage.Source;
        var queues = new FileQueues(this, settings);
        var (files, deadLetters) = (queues.Files, queues.DeadLetters);

        var arrivals = new ArrivalQueues(this, bucket);

        var database = new WarehouseDatabase(this, "Warehouse", settings, network);
        var workers = new SparkifyWorkers(this, "Workers", settings, network, database, bucket, files, deadLetters, arrivals.Arrivals);
        BucketNotificationsHandler.Suppress(this);
        var alarms = new OnCall(this, "OnCall", settings, queues, arrivals, workers, database).Topic;

        Output("BucketName", bucket.BucketName, "Upload song_data/ and log_data/ here");
        Output("FileQueueUrl", files.QueueUrl, "The file queue");
        Output("ArrivalsQueueUrl", arrivals.Arrivals.QueueUrl, "The source bucket's ObjectCreated events (Ingest's notification mode)");
        Output("DeadLetterQueueUrl", deadLetters.QueueUrl, "Dead letters: files that failed every receive");
        Output("DatabaseEndpoint", $"{database.Host}:{database.Port}", "The warehouse database (private)");
        Output("DatabaseSecretArn", database.MasterSecret.SecretArn, "The migration's credentials (username, password; rotated)");
        Output("WorkerSecretArn", database.WorkerSecret.SecretArn, "The workers' credentials (rotated; the workers read it at every new connection)");
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
