using System.Globalization;
using Constructs;
using Sparkify.Pipeline;

namespace Sparkify.Deploy;

/// <summary>
/// Everything a deployment can choose, from CDK context (<c>cdk deploy -c key=value</c>, or <c>cdk.json</c>), with the
/// defaults below. The queue's RedrivePolicy and the Transform's MaxReceives come from the one <see cref="MaxReceives"/>.
/// </summary>
public sealed record DeploySettings
{
    /// <summary>The tag of the three images to run (what scripts/publish-images.sh printed).</summary>
    public string ImageTag { get; init; } = "latest";

    /// <summary>An existing bucket holding song_data/ and log_data/; empty: the stack creates one.</summary>
    public string? BucketName { get; init; }

    /// <summary>Receives before SQS dead-letters a message; also the Transform's MaxReceives.</summary>
    public int MaxReceives { get; init; } = WorkerDefaults.MaxReceives;

    public int VisibilityTimeoutSeconds { get; init; } = WorkerDefaults.VisibilityTimeoutSeconds;
    public int StarLoadTakeoverSeconds { get; init; } = WorkerDefaults.StarLoadTakeoverSeconds;
    public int StarLoadDeadlineSeconds { get; init; } = WorkerDefaults.StarLoadDeadlineSeconds;
    public int StarLoadTimeoutSeconds { get; init; } = WorkerDefaults.StarLoadTimeoutSeconds;
    public int TransformReceivers { get; init; } = WorkerDefaults.TransformReceivers;
    public int TransformMinTasks { get; init; } = 1;
    public int TransformMaxTasks { get; init; } = 4;

    /// <summary>Seconds ECS waits after SIGTERM before SIGKILL (Fargate allows at most 120).</summary>
    public int StopTimeoutSeconds { get; init; } = 120;

    /// <summary>When Ingest scans the bucket (an EventBridge schedule expression).</summary>
    public string IngestSchedule { get; init; } = "rate(15 minutes)";

    /// <summary>NAT gateways for the tasks' egress (SQS, ECR, logs, Secrets Manager); 0: VPC interface endpoints instead.</summary>
    public int NatGateways { get; init; } = 1;

    /// <summary>An existing database: its connection secret (name or ARN, with <c>username</c> and <c>password</c>) and host.</summary>
    public string? DatabaseSecret { get; init; }
    public string? DatabaseHost { get; init; }
    public int DatabasePort { get; init; } = 5432;
    public string DatabaseName { get; init; } = "sparkify";
    public string DatabaseInstanceType { get; init; } = "t4g.micro";
    public int DatabaseStorageGb { get; init; } = 20;
    public int BackupRetentionDays { get; init; } = 7;
    public bool DatabaseMultiAz { get; init; }
    public bool DeletionProtection { get; init; } = true;

    public int LogRetentionDays { get; init; } = 30;

    /// <summary>How long the log bucket keeps the source bucket's access logs and the VPC flow logs.</summary>
    public int AccessLogDays { get; init; } = 365;

    /// <summary>How long a replaced or deleted version of a source file is kept.</summary>
    public int NoncurrentVersionDays { get; init; } = 30;

    /// <summary>Days between rotations of the database passwords (the workers' and the master's).</summary>
    public int SecretRotationDays { get; init; } = 30;

    /// <summary>Alarm when the database has more connections than this (db.t4g.micro allows about 80).</summary>
    public int DatabaseConnectionsAlarm { get; init; } = 60;

    /// <summary>Alarm when the oldest message has waited longer than this.</summary>
    public int OldestMessageAlarmSeconds { get; init; } = 1800;

    /// <summary>An address the alarms mail (the subscription must be confirmed); empty: the topic only.</summary>
    public string? AlarmEmail { get; init; }

    public bool UsesExistingDatabase => !string.IsNullOrWhiteSpace(DatabaseSecret);

    /// <summary>How long a stopping worker may drain: the stop timeout less a margin, so it exits before SIGKILL.</summary>
    public int WorkerShutdownTimeoutSeconds => Math.Max(5, StopTimeoutSeconds - 20);

    public static DeploySettings FromContext(Node node)
    {
        var defaults = new DeploySettings();
        var settings = new DeploySettings
        {
            ImageTag = Text(node, "imageTag") ?? defaults.ImageTag,
            BucketName = Text(node, "bucketName"),
            MaxReceives = Number(node, "maxReceives", defaults.MaxReceives),
            VisibilityTimeoutSeconds = Number(node, "visibilityTimeoutSeconds", defaults.VisibilityTimeoutSeconds),
            StarLoadTakeoverSeconds = Number(node, "starLoadTakeoverSeconds", defaults.StarLoadTakeoverSeconds),
            StarLoadDeadlineSeconds = Number(node, "starLoadDeadlineSeconds", defaults.StarLoadDeadlineSeconds),
            StarLoadTimeoutSeconds = Number(node, "starLoadTimeoutSeconds", defaults.StarLoadTimeoutSeconds),
            TransformReceivers = Number(node, "transformReceivers", defaults.TransformReceivers),
            TransformMinTasks = Number(node, "transformMinTasks", defaults.TransformMinTasks),
            TransformMaxTasks = Number(node, "transformMaxTasks", defaults.TransformMaxTasks),
            StopTimeoutSeconds = Number(node, "stopTimeoutSeconds", defaults.StopTimeoutSeconds),
            IngestSchedule = Text(node, "ingestSchedule") ?? defaults.IngestSchedule,
            NatGateways = Number(node, "natGateways", defaults.NatGateways),
            DatabaseSecret = Text(node, "databaseSecret"),
            DatabaseHost = Text(node, "databaseHost"),
            DatabasePort = Number(node, "databasePort", defaults.DatabasePort),
            DatabaseName = Text(node, "databaseName") ?? defaults.DatabaseName,
            DatabaseInstanceType = Text(node, "databaseInstanceType") ?? defaults.DatabaseInstanceType,
            DatabaseStorageGb = Number(node, "databaseStorageGb", defaults.DatabaseStorageGb),
            BackupRetentionDays = Number(node, "backupRetentionDays", defaults.BackupRetentionDays),
            DatabaseMultiAz = Flag(node, "databaseMultiAz", defaults.DatabaseMultiAz),
            DeletionProtection = Flag(node, "deletionProtection", defaults.DeletionProtection),
            LogRetentionDays = Number(node, "logRetentionDays", defaults.LogRetentionDays),
            AccessLogDays = Number(node, "accessLogDays", defaults.AccessLogDays),
            NoncurrentVersionDays = Number(node, "noncurrentVersionDays", defaults.NoncurrentVersionDays),
            SecretRotationDays = Number(node, "secretRotationDays", defaults.SecretRotationDays),
            DatabaseConnectionsAlarm = Number(node, "databaseConnectionsAlarm", defaults.DatabaseConnectionsAlarm),
            OldestMessageAlarmSeconds = Number(node, "oldestMessageAlarmSeconds", defaults.OldestMessageAlarmSeconds),
            AlarmEmail = Text(node, "alarmEmail"),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        Require(MaxReceives is >= 1 and <= 1000, "maxReceives must be 1-1000 (the SQS limit)");
        Require(VisibilityTimeoutSeconds is >= 5 and <= 43_200, "visibilityTimeoutSeconds must be 5-43200");
        Require(StopTimeoutSeconds is >= 30 and <= 120, "stopTimeoutSeconds must be 30-120 (Fargate's maximum)");
        Require(TransformMinTasks >= 1 && TransformMaxTasks >= TransformMinTasks,
            "transformMinTasks must be at least 1 (an idle Transform finishes batches) and at most transformMaxTasks");
        Require(NatGateways is >= 0 and <= 2, "natGateways must be 0, 1 or 2");
        foreach (var problem in StarLoadTimings.Problems(StarLoadTimeoutSeconds, StarLoadDeadlineSeconds, StarLoadTakeoverSeconds))
        {
            Require(false, $"{problem} (context starLoadTimeoutSeconds, starLoadDeadlineSeconds, starLoadTakeoverSeconds)");
        }
        Require(SecretRotationDays is >= 1 and <= 1000, "secretRotationDays must be 1-1000 (the Secrets Manager limit)");
        Require(AccessLogDays >= 1 && NoncurrentVersionDays >= 1, "accessLogDays and noncurrentVersionDays must be at least 1");
        Require(!UsesExistingDatabase || !string.IsNullOrWhiteSpace(DatabaseHost), "databaseSecret needs databaseHost");
        Require(System.Text.RegularExpressions.Regex.IsMatch(ImageTag, "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"), $"imageTag '{ImageTag}' is not a valid tag");
        Require(System.Text.RegularExpressions.Regex.IsMatch(DatabaseName, "^[a-z_][a-z0-9_]{0,62}$"), "databaseName must be a plain lowercase identifier");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException("Deploy settings: " + message);
        }
    }

    private static string? Text(Node node, string key) =>
        node.TryGetContext(key) is { } value && value.ToString() is { Length: > 0 } text ? text : null;

    private static int Number(Node node, string key, int fallback) =>
        Text(node, key) is { } text ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    private static bool Flag(Node node, string key, bool fallback) =>
        Text(node, key) is { } text ? bool.Parse(text) : fallback;
}
