using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ECS.Patterns;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SQS;
using Constructs;
using EcsSecret = Amazon.CDK.AWS.ECS.Secret;
using EcsHealthCheck = Amazon.CDK.AWS.ECS.HealthCheck;

namespace Sparkify.Deploy;

/// <summary>
/// The ECS cluster on Fargate and the three task definitions: Transform as a service that scales on queue depth,
/// Ingest as a scheduled task in Once mode, and the migration (<c>sparkify create-tables</c>) as a one-off task run
/// before the services. Every container runs as the non-root user on a read-only root filesystem (a task volume at
/// /tmp holds the heartbeat), logs JSON to its own log group, has a health check and the stop timeout.
/// </summary>
internal sealed class SparkifyWorkers : Construct
{
    public SparkifyWorkers(Construct scope, string id, DeploySettings settings, SparkifyNetwork network, WarehouseDatabase database,
        IBucket bucket, IQueue files, IQueue deadLetters) : base(scope, id)
    {
        _settings = settings;
        _database = database;
        Cluster = new Cluster(this, "Cluster", new ClusterProps { Vpc = network.Vpc, ContainerInsights = true });

        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings__warehouse"] = database.ConnectionString,
            ["Sparkify__Bucket"] = bucket.BucketName,
            ["Sparkify__QueueName"] = files.QueueName,
            ["Sparkify__DeadLetterQueueName"] = deadLetters.QueueName,
            ["Sparkify__AwsRegion"] = Aws.REGION,
            // The migration task migrates; the workers only check the schema.
            ["Sparkify__MigrateAtStart"] = "false",
            // Services created before the migration task has run wait for it (healthy meanwhile) rather than fail the deployment.
            ["Sparkify__SchemaWaitSeconds"] = "900",
            ["Sparkify__ShutdownTimeoutSeconds"] = Text(settings.WorkerShutdownTimeoutSeconds),
            ["Logging__Console__FormatterName"] = "json",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };

        Migration = Task("Migration", WorkerImages.ToolRepository, TaskRoles.Migration(this), cpu: 256, memory: 512,
            WorkerImages.ToolHealthCheck, WorkerImages.MigrationCommand, shared, out var migrationLogs);
        Ingest = Task("Ingest", WorkerImages.IngestRepository, TaskRoles.Ingest(this, bucket, files, deadLetters), cpu: 256, memory: 512,
            WorkerImages.IngestHealthCheck, null, With(shared, ("Sparkify__Ingest__Mode", "Once")), out var ingestLogs);
        Transform = Task("Transform", WorkerImages.TransformRepository, TaskRoles.Transform(this, bucket, files, deadLetters), cpu: 1024, memory: 2048,
            WorkerImages.TransformHealthCheck, null, With(shared,
                ("Sparkify__Transform__MaxReceives", Text(settings.MaxReceives)),
                ("Sparkify__Transform__VisibilityTimeoutSeconds", Text(settings.VisibilityTimeoutSeconds)),
                ("Sparkify__Transform__StarLoadTakeoverSeconds", Text(settings.StarLoadTakeoverSeconds)),
                ("Sparkify__Transform__StarLoadDeadlineSeconds", Text(settings.StarLoadDeadlineSeconds)),
                ("Sparkify__Transform__StarLoadTimeoutSeconds", Text(settings.StarLoadTimeoutSeconds)),
                ("Sparkify__Transform__Receivers", Text(settings.TransformReceivers))), out var transformLogs);
        LogGroups = [migrationLogs, ingestLogs, transformLogs];

        TransformService = new FargateService(this, "TransformService", new FargateServiceProps
        {
            Cluster = Cluster,
            TaskDefinition = Transform,
            DesiredCount = settings.TransformMinTasks,
            VpcSubnets = network.Workers,
            SecurityGroups = [network.Tasks],
            AssignPublicIp = false,
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
        });
        // Queue depth decides, never CPU: a CPU-driven scale-in would stop tasks in the middle of their files.
        TransformService.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = settings.TransformMinTasks, MaxCapacity = settings.TransformMaxTasks })
            .ScaleOnMetric("QueueDepth", new BasicStepScalingPolicyProps
            {
                Metric = files.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Maximum" }),
                ScalingSteps =
                [
                    new ScalingInterval { Upper = 0, Change = -1 },
                    new ScalingInterval { Lower = 500, Change = 1 },
                    new ScalingInterval { Lower = 5000, Change = 3 },
                ],
                AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY,
                Cooldown = Duration.Minutes(3),
            });

        // A scan takes seconds and costs nothing between runs; a run that overlaps a slow one skips (Ingest takes an
        // advisory lock), and each run first resumes a batch whose publishing was interrupted.
        IngestSchedule = new ScheduledFargateTask(this, "IngestSchedule", new ScheduledFargateTaskProps
        {
            Cluster = Cluster,
            Schedule = Amazon.CDK.AWS.ApplicationAutoScaling.Schedule.Expression(settings.IngestSchedule),
            ScheduledFargateTaskDefinitionOptions = new ScheduledFargateTaskDefinitionOptions { TaskDefinition = Ingest },
            SubnetSelection = network.Workers,
            SecurityGroups = [network.Tasks],
        });
    }

    private readonly DeploySettings _settings;
    private readonly WarehouseDatabase _database;

    public Cluster Cluster { get; }
    public FargateTaskDefinition Migration { get; }
    public FargateTaskDefinition Ingest { get; }
    public FargateTaskDefinition Transform { get; }
    public FargateService TransformService { get; }
    public ScheduledFargateTask IngestSchedule { get; }
    public IReadOnlyList<LogGroup> LogGroups { get; }

    private FargateTaskDefinition Task(string name, string repository, IRole taskRole, int cpu, int memory, string[] healthCheck,
        string[]? command, Dictionary<string, string> environment, out LogGroup logGroup)
    {
        logGroup = new LogGroup(this, name + "Logs", new LogGroupProps
        {
            Retention = Retention(_settings.LogRetentionDays), RemovalPolicy = RemovalPolicy.RETAIN,
        });
        var definition = new FargateTaskDefinition(this, name + "Task", new FargateTaskDefinitionProps
        {
            Cpu = cpu,
            MemoryLimitMiB = memory,
            TaskRole = taskRole,
            RuntimePlatform = new RuntimePlatform { CpuArchitecture = CpuArchitecture.X86_64, OperatingSystemFamily = OperatingSystemFamily.LINUX },
        });
        definition.AddVolume(new Volume { Name = "tmp" });
        var repositoryRef = Repository.FromRepositoryName(this, name + "Repository", repository);
        var container = definition.AddContainer(name.ToLowerInvariant(), new ContainerDefinitionOptions
        {
            Image = ContainerImage.FromEcrRepository(repositoryRef, _settings.ImageTag),
            Command = command,
            User = WorkerImages.User,
            ReadonlyRootFilesystem = true,
            Environment = environment,
            Secrets = new Dictionary<string, EcsSecret>
            {
                ["PGUSER"] = EcsSecret.FromSecretsManager(_database.Secret, "username"),
                ["PGPASSWORD"] = EcsSecret.FromSecretsManager(_database.Secret, "password"),
            },
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = logGroup, StreamPrefix = name.ToLowerInvariant() }),
            HealthCheck = new EcsHealthCheck
            {
                Command = healthCheck,
                Interval = Duration.Seconds(30),
                Timeout = Duration.Seconds(5),
                Retries = 3,
                StartPeriod = Duration.Seconds(60),
            },
            StopTimeout = Duration.Seconds(_settings.StopTimeoutSeconds),
            Essential = true,
        });
        container.AddMountPoints(new MountPoint { ContainerPath = "/tmp", SourceVolume = "tmp", ReadOnly = false });
        return definition;
    }

    private static Dictionary<string, string> With(Dictionary<string, string> shared, params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string>(shared);
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }
        return environment;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static RetentionDays Retention(int days) => days switch
    {
        <= 1 => RetentionDays.ONE_DAY,
        <= 3 => RetentionDays.THREE_DAYS,
        <= 7 => RetentionDays.ONE_WEEK,
        <= 14 => RetentionDays.TWO_WEEKS,
        <= 30 => RetentionDays.ONE_MONTH,
        <= 90 => RetentionDays.THREE_MONTHS,
        <= 180 => RetentionDays.SIX_MONTHS,
        _ => RetentionDays.ONE_YEAR,
    };
}
