using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// What wakes someone up: one TLS-only SNS topic (mailed to <c>alarmEmail</c>; the synthesis warns when nobody is
/// subscribed) fed by the alarms on the queues, the Transform service, the scheduled Ingest and the database, and by
/// an EventBridge rule on tasks that stop with a non-zero exit code, out of memory, or without starting.
/// </summary>
internal sealed class OnCall : Construct
{
    public const string NoSubscriberWarning = "sparkify:alarmsReachNoOne";

    public OnCall(Construct scope, string id, DeploySettings settings, FileQueues queues, ArrivalQueues arrivals, SparkifyWorkers workers,
        WarehouseDatabase database)
        : base(scope, id)
    {
        Topic = new Topic(this, "Alarms", new TopicProps { DisplayName = "Sparkify alarms", EnforceSSL = true });
        if (string.IsNullOrWhiteSpace(settings.AlarmEmail))
        {
            Annotations.Of(this).AddWarningV2(NoSubscriberWarning,
                "No -c alarmEmail: the alarms go to the AlarmTopicArn topic, which nobody is subscribed to. Subscribe someone (README, Deploy to AWS).");
        }
        else
        {
            Topic.AddSubscription(new EmailSubscription(settings.AlarmEmail));
        }

        Alarm("DeadLetters", "A file's message reached the dead-letter queue: see the batch's failure reason, fix the file, replay (README).",
            queues.DeadLetters.MetricApproximateNumberOfMessagesVisible(Every(5, "Maximum")), 0, ComparisonOperator.GREATER_THAN_THRESHOLD);
        Alarm("OldestMessage", "Files have waited too long in the queue: is the Transform service running and healthy?",
            queues.Files.MetricApproximateAgeOfOldestMessage(Every(5, "Maximum")), settings.OldestMessageAlarmSeconds,
            ComparisonOperator.GREATER_THAN_THRESHOLD, periods: 2);

        Alarm("ArrivalDeadLetters", "An S3 event could not be recorded in its receives: its file is loaded by the next scheduled scan; see the Ingest service's logs.",
            arrivals.DeadLetters.MetricApproximateNumberOfMessagesVisible(Every(5, "Maximum")), 0, ComparisonOperator.GREATER_THAN_THRESHOLD);
        Alarm("ArrivalsOldestMessage", "S3 events have waited 10 minutes in the arrivals queue: is the Ingest notification-mode service running?",
            arrivals.Arrivals.MetricApproximateAgeOfOldestMessage(Every(5, "Maximum")), 600, ComparisonOperator.GREATER_THAN_THRESHOLD, periods: 2);

        Alarm("TransformRunning", $"Fewer Transform tasks run than its minimum ({settings.TransformMinTasks}) for 5 minutes: tasks failing to start or crashing (see the task-stopped notices and its logs).",
            new Metric(new MetricProps
            {
                Namespace = "ECS/ContainerInsights", MetricName = "RunningTaskCount",
                DimensionsMap = new Dictionary<string, string>
                {
                    ["ClusterName"] = workers.Cluster.ClusterName, ["ServiceName"] = workers.TransformService.ServiceName,
                },
                Period = Duration.Minutes(1),
                Statistic = "Minimum",
            }),
            settings.TransformMinTasks, ComparisonOperator.LESS_THAN_THRESHOLD, periods: 5, missing: TreatMissingData.BREACHING);

        Alarm("IngestScheduleFailed", "The schedule could not start the Ingest task (EventBridge FailedInvocations): see its dead-letter queue for the reason.",
            new Metric(new MetricProps
            {
                Namespace = "AWS/Events", MetricName = "FailedInvocations",
                DimensionsMap = new Dictionary<string, string> { ["RuleName"] = workers.IngestSchedule.Rule.RuleName },
                Period = Duration.Minutes(5),
                Statistic = "Sum",
            }), 0, ComparisonOperator.GREATER_THAN_THRESHOLD);
        Alarm("IngestScheduleDeadLetters", "A scheduled Ingest run was given up after its retries: the dead-letter queue's message says why.",
            workers.IngestSchedule.DeadLetters.MetricApproximateNumberOfMessagesVisible(Every(5, "Maximum")), 0,
            ComparisonOperator.GREATER_THAN_THRESHOLD);

        if (database.Instance is { } instance)
        {
            DatabaseAlarms(instance, settings);
        }

        TaskFailures = new Rule(this, "TaskFailures", new RuleProps
        {
            Description = "Sparkify tasks that stop with a non-zero exit code, out of memory, or without starting",
            EventPattern = new EventPattern
            {
                Source = ["aws.ecs"],
                DetailType = ["ECS Task State Change"],
                Detail = new Dictionary<string, object>
                {
                    ["clusterArn"] = new[] { workers.Cluster.ClusterArn },
                    ["lastStatus"] = new[] { "STOPPED" },
                    ["$or"] = new object[]
                    {
                        new Dictionary<string, object> { ["containers"] = new Dictionary<string, object> { ["exitCode"] = new object[] { new Dictionary<string, object> { ["anything-but"] = 0 } } } },
                        new Dictionary<string, object> { ["containers"] = new Dictionary<string, object> { ["reason"] = new object[] { new Dictionary<string, object> { ["prefix"] = "OutOfMemory" } } } },
                        new Dictionary<string, object> { ["stopCode"] = new[] { "TaskFailedToStart" } },
                    },
                },
            },
        });
        TaskFailures.AddTarget(new SnsTopic(Topic, new SnsTopicProps
        {
            Message = RuleTargetInput.FromText(
                $"Sparkify task stopped: {EventField.FromPath("$.detail.group")} ({EventField.FromPath("$.detail.taskDefinitionArn")}), " +
                $"stop code {EventField.FromPath("$.detail.stopCode")}, reason {EventField.FromPath("$.detail.stoppedReason")}, " +
                $"exit code {EventField.FromPath("$.detail.containers[0].exitCode")} {EventField.FromPath("$.detail.containers[0].reason")}. Task {EventField.FromPath("$.detail.taskArn")}."),
        }));
    }

    public Topic Topic { get; }

    public Rule TaskFailures { get; }

    private void DatabaseAlarms(Amazon.CDK.AWS.RDS.DatabaseInstance instance, DeploySettings settings)
    {
        if (settings.DatabaseInstanceType.StartsWith('t'))
        {
            Alarm("DatabaseCpuCredits", "The database has nearly spent its CPU credits: it will be throttled to its baseline (a bigger instance, or fewer Transform tasks).",
                instance.Metric("CPUCreditBalance", Every(5, "Minimum")), 20, ComparisonOperator.LESS_THAN_THRESHOLD, periods: 3);
        }
        Alarm("DatabaseFreeStorage", "The database has less than a tenth of its storage free (storage autoscaling grows it up to five times; check that it can).",
            instance.MetricFreeStorageSpace(Every(5, "Minimum")), settings.DatabaseStorageGb * 1024.0 * 1024 * 1024 / 10,
            ComparisonOperator.LESS_THAN_THRESHOLD);
        Alarm("DatabaseFreeableMemory", "The database has less than 64 MiB of memory free: star loads will spill or fail (a bigger instance).",
            instance.MetricFreeableMemory(Every(5, "Minimum")), 64 * 1024 * 1024, ComparisonOperator.LESS_THAN_THRESHOLD, periods: 3);
        Alarm("DatabaseConnections", $"The database has more than {settings.DatabaseConnectionsAlarm} connections: near its limit, new tasks could not connect.",
            instance.MetricDatabaseConnections(Every(5, "Maximum")), settings.DatabaseConnectionsAlarm, ComparisonOperator.GREATER_THAN_THRESHOLD);
    }

    private void Alarm(string name, string description, IMetric metric, double threshold, ComparisonOperator comparison, int periods = 1,
        TreatMissingData missing = TreatMissingData.NOT_BREACHING) =>
        new Alarm(this, name, new AlarmProps
        {
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            ComparisonOperator = comparison,
            EvaluationPeriods = periods,
            TreatMissingData = missing,
        }).AddAlarmAction(new SnsAction(Topic));

    private static MetricOptions Every(int minutes, string statistic) => new() { Period = Duration.Minutes(minutes), Statistic = statistic };
}
