using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SQS;
using Constructs;
using Sparkify.Pipeline.Passwords;
using Sparkify.Warehouse.Schema;
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
        IBucket bucket, IQueue files, IQueue deadLetters, IQueue arrivals) : base(scope, id)
    {
        _settings = settings;
        Cluster = new Cluster(this, "Cluster", new ClusterProps { Vpc = network.Vpc, ContainerInsights = true });

        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings__warehouse"] = database.ConnectionString,
            ["Sparkify__Bucket"] = bucket.BucketName,
            ["Sparkify__QueueName"] = files.QueueName,
            ["Sparkify__AwsRegion"] = Aws.REGION,
            // The migration task migrates; the workers only check the schema.
            ["Sparkify__MigrateAtStart"] = "false",
            // Services created before the migration task has run wait for it (healthy meanwhile) rather than fail the deployment.
            ["Sparkify__SchemaWaitSeconds"] = "900",
            ["Sparkify__ShutdownTimeoutSeconds"] = Text(settings.WorkerShutdownTimeoutSeconds),
            ["Logging__Console__FormatterName"] = "json",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };

        // The migration logs in as the master user and (re)creates the workers' role with the workers' current password;
        // the workers log in as that role and read its password from Secrets Manager whenever they open a connection.
        var migrationSecrets = new Dictionary<string, EcsSecret>
        {
            ["PGUSER"] = EcsSecret.FromSecretsManager(database.MasterSecret, "username"),
            ["PGPASSWORD"] = EcsSecret.FromSecretsManager(database.MasterSecret, "password"),
            [WorkerRole.PasswordVariable] = EcsSecret.FromSecretsManager(database.WorkerSecret, "password"),
        };
        var workerSecrets = new Dictionary<string, EcsSecret> { ["PGUSER"] = EcsSecret.FromSecretsManager(database.WorkerSecret, "username") };
        var workers = With(shared, (WarehousePasswordSettings.SecretKey, database.WorkerSecret.SecretArn));

        Migration = Task("Migration", WorkerImages.ToolRepository, TaskRoles.Migration(this), cpu: 256, memory: 512,
            WorkerImages.ToolHealthCheck, WorkerImages.MigrationCommand, shared, migrationSecrets, out var migrationLogs);
        var ingestRole = TaskRoles.Ingest(this, bucket, files, deadLetters, arrivals, database.WorkerSecret);
        Ingest = Task("Ingest", WorkerImages.IngestRepository, ingestRole, cpu: 256,
            memory: 512, WorkerImages.IngestHealthCheck, null, With(workers, ("Sparkify__Ingest__Mode", "Once")), workerSecrets, out var ingestLogs);
        // Notification mode: the same image and role as a service consuming the bucket's events; the schedule above stays
        // the reconciliation scan.
        IngestEvents = Task("IngestEvents", WorkerImages.IngestRepository, ingestRole, cpu: 256, memory: 512, WorkerImages.IngestHealthCheck, null,
            With(workers, ("Sparkify__Ingest__Mode", "Notifications"), ("Sparkify__Ingest__ArrivalsQueueName", arrivals.QueueName)), workerSecrets,
            out var ingestEventsLogs);
        Transform = Task("Transform", WorkerImages.TransformRepository, TaskRoles.Transform(this, bucket, files, deadLetters, database.WorkerSecret),
            cpu: 1024, memory: 2048, WorkerImages.TransformHealthCheck, null, With(workers,
                ("Sparkify__Transform__MaxReceives", Text(settings.MaxReceives)),
                ("Sparkify__Transform__VisibilityTimeoutSeconds", Text(settings.VisibilityTimeoutSeconds)),
                ("Sparkify__Transform__StarLoadTakeoverSeconds", Text(settings.StarLoadTakeoverSeconds)),
                ("Sparkify__Transform__StarLoadDeadlineSeconds", Text(settings.StarLoadDeadlineSeconds)),
                ("Sparkify__Transform__StarLoadTimeoutSeconds", Text(settings.StarLoadTimeoutSeconds)),
                ("Sparkify__Transform__Receivers", Text(settings.TransformReceivers))), workerSecrets, out var transformLogs);
        LogGroups = [migrationLogs, ingestLogs, ingestEventsLogs, transformLogs];

        // No DesiredCount: the scaling policy owns the count (a deploy would otherwise reset it to the minimum);
        // CloudFormation starts a new service with one task, and the scalable target raises it to the minimum.
        TransformService = Service("TransformService", Transform, network, desiredCount: null);
        TransformScaling.Apply(TransformService, files, settings);
        // One consumer: a second would only wait for the scan lock. During a deployment two may run a while, which the lock makes safe.
        IngestEventsService = Service("IngestEventsService", IngestEvents, network, desiredCount: 1);
        IngestSchedule = new IngestSchedule(this, "IngestSchedule", settings, Cluster, Ingest, network.Workers, network.Tasks);
        SuppressFindingsOnTheTasks(bucket);
    }

    private readonly DeploySettings _settings;

    public Cluster Cluster { get; }
    public FargateTaskDefinition Migration { get; }
    public FargateTaskDefinition Ingest { get; }
    public FargateTaskDefinition IngestEvents { get; }
    public FargateTaskDefinition Transform { get; }
    public FargateService TransformService { get; }
    public FargateService IngestEventsService { get; }
    public IngestSchedule IngestSchedule { get; }
    public IReadOnlyList<LogGroup> LogGroups { get; }

    private FargateTaskDefinition Task(string name, string repository, IRole taskRole, int cpu, int memory, string[] healthCheck,
        string[]? command, Dictionary<string, string> environment, Dictionary<string, EcsSecret> secrets, out LogGroup logGroup)
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
            Secrets = secrets,
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

    /// <summary>The findings of cdk-nag's AwsSolutions pack that the tasks cannot avoid, each with the reason.</summary>
    private void SuppressFindingsOnTheTasks(IBucket bucket)
    {
        var stack = Stack.Of(this);
        foreach (var definition in new[] { Migration, Ingest, IngestEvents, Transform })
        {
            NagSuppressions.Add(definition, "AwsSolutions-ECS2",
                "The environment holds settings only (endpoints, queue and bucket names, tuning); credentials reach the containers as ECS secrets from Secrets Manager, and the workers' password is read from Secrets Manager at run time.");
            NagSuppressions.Add(definition.ExecutionRole!.Node.FindChild("DefaultPolicy"), "AwsSolutions-IAM5",
                "ecr:GetAuthorizationToken has no resource-level permissions: the ECR API requires Resource * for it; every other statement of the execution role names its repository, log group or secret.",
                "Resource::*");
        }
        var sourceObjects = TaskRoles.SourcePrefixes.Select(p => NagSuppressions.Resource(stack, bucket.ArnForObjects(p + "*"))).ToArray();
        foreach (var role in new[] { Ingest.TaskRole, Transform.TaskRole })
        {
            NagSuppressions.Add(role.Node.FindChild("DefaultPolicy"), "AwsSolutions-IAM5",
                "s3:GetObject on the objects under the two source prefixes: an object ARN needs a wildcard to name the files under a prefix; read-only, and no other prefix of the bucket.",
                sourceObjects);
        }
        var runTask = (Role)Ingest.Node.FindChild("EventsRole");
        NagSuppressions.Add(runTask.Node.FindChild("DefaultPolicy"), "AwsSolutions-IAM5",
            "EventBridge tags the Ingest tasks it starts: the task ARNs are not known before they run, so ecs:TagResource names the cluster's tasks (CDK's EcsTask target).",
            NagSuppressions.Resource(stack, $"arn:{Aws.PARTITION}:ecs:{Aws.REGION}:*:task/{Cluster.ClusterName}/*"));
    }

    /// <summary>A service of the cluster in the workers' subnets: rolling, never below its count, rolled back on failure.</summary>
    private FargateService Service(string id, FargateTaskDefinition task, SparkifyNetwork network, double? desiredCount) =>
        new(this, id, new FargateServiceProps
        {
            Cluster = Cluster,
            TaskDefinition = task,
            DesiredCount = desiredCount,
            VpcSubnets = network.Workers,
            SecurityGroups = [network.Tasks],
            AssignPublicIp = false,
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
        });

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
