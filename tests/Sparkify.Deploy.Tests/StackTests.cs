using System.Text.Json;
using Amazon.CDK.Assertions;
using Sparkify.DevTools;

namespace Sparkify.Deploy.Tests;

/// <summary>The synthesized product stack with the default settings: what the deployment promises, resource by resource.</summary>
public sealed class StackTests(DefaultApp app) : IClassFixture<DefaultApp>
{
    private static Dictionary<string, object> Props(params (string Key, object Value)[] properties) =>
        properties.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void The_network_spans_two_zones_with_an_S3_gateway_endpoint_and_private_subnets_for_tasks_and_database()
    {
        app.Template.ResourceCountIs("AWS::EC2::VPC", 1);
        app.Template.ResourceCountIs("AWS::EC2::Subnet", 6);
        app.Template.ResourceCountIs("AWS::EC2::NatGateway", 1);
        app.Template.HasResourceProperties("AWS::EC2::VPCEndpoint", Props(("VpcEndpointType", "Gateway"),
            ("ServiceName", Match.ObjectLike(Props(("Fn::Join", Match.ArrayWith([Match.ArrayWith(["com.amazonaws.", ".s3"])])))))));
        Assert.All(app.Resources("AWS::EC2::Subnet").Where(s => !s.Id.Contains("Public", StringComparison.Ordinal)),
            s => Assert.False(s.Resource.GetProperty("Properties").GetProperty("MapPublicIpOnLaunch").GetBoolean()));
        var service = app.Resources("AWS::ECS::Service").Single().Resource.GetProperty("Properties");
        Assert.Equal("DISABLED", service.GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration").GetProperty("AssignPublicIp").GetString());
    }

    [Fact]
    public void The_source_bucket_is_encrypted_private_and_kept()
    {
        app.Template.HasResource("AWS::S3::Bucket", Props(
            ("Properties", Match.ObjectLike(Props(
                ("BucketEncryption", Match.AnyValue()),
                ("PublicAccessBlockConfiguration", Props(("BlockPublicAcls", true), ("BlockPublicPolicy", true), ("IgnorePublicAcls", true), ("RestrictPublicBuckets", true)))))),
            ("DeletionPolicy", "Retain")));
    }

    [Fact]
    public void The_file_queue_dead_letters_after_exactly_the_receives_the_transform_is_given()
    {
        var queue = app.Resources("AWS::SQS::Queue").Single(q => q.Resource.GetProperty("Properties").TryGetProperty("RedrivePolicy", out _));
        var redrive = queue.Resource.GetProperty("Properties").GetProperty("RedrivePolicy");
        Assert.Equal(3, redrive.GetProperty("maxReceiveCount").GetInt32());
        Assert.Equal(redrive.GetProperty("maxReceiveCount").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Environment(app.Container("WorkersTransformTask"), "Sparkify__Transform__MaxReceives"));
        Assert.Equal(queue.Resource.GetProperty("Properties").GetProperty("VisibilityTimeout").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Environment(app.Container("WorkersTransformTask"), "Sparkify__Transform__VisibilityTimeoutSeconds"));
    }

    [Fact]
    public void The_database_is_PostgreSQL_private_encrypted_backed_up_with_a_generated_secret()
    {
        app.Template.HasResourceProperties("AWS::RDS::DBInstance", Props(
            ("Engine", "postgres"), ("PubliclyAccessible", false), ("StorageEncrypted", true), ("BackupRetentionPeriod", 7), ("DeletionProtection", true)));
        app.Template.HasResourceProperties("AWS::SecretsManager::Secret", Props(("GenerateSecretString", Match.ObjectLike(Props(("GenerateStringKey", "password"))))));
        // Only the tasks' security group may reach it.
        app.Template.HasResourceProperties("AWS::EC2::SecurityGroupIngress", Props(("FromPort", 5432), ("ToPort", 5432), ("SourceSecurityGroupId", Match.AnyValue())));
    }

    [Fact]
    public void The_password_reaches_the_tasks_only_as_a_secret()
    {
        foreach (var prefix in new[] { "WorkersMigrationTask", "WorkersIngestTask", "WorkersTransformTask" })
        {
            var container = app.Container(prefix);
            var secrets = container.GetProperty("Secrets").EnumerateArray().Select(s => s.GetProperty("Name").GetString()).ToList();
            Assert.Equal(["PGUSER", "PGPASSWORD"], secrets);
            foreach (var variable in container.GetProperty("Environment").EnumerateArray())
            {
                Assert.DoesNotContain("PASSWORD", variable.GetProperty("Name").GetString()!, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("password", variable.GetProperty("Value").GetRawText(), StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void No_IAM_statement_grants_a_wildcard_action()
    {
        foreach (var (id, policy) in app.Resources("AWS::IAM::Policy"))
        {
            foreach (var statement in policy.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            {
                foreach (var action in Actions(statement))
                {
                    Assert.False(action == "*" || action.EndsWith(":*", StringComparison.Ordinal), $"{id} grants {action}");
                }
            }
        }
    }

    [Fact]
    public void The_task_roles_grant_exactly_the_README_list()
    {
        Assert.Equal(
            ["s3:GetObject", "s3:ListBucket", "sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"],
            TaskRoleActions("WorkersIngestTaskRole"));
        Assert.Equal(
            ["s3:GetObject", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage",
             "sqs:SendMessage"],
            TaskRoleActions("WorkersTransformTaskRole"));
        Assert.DoesNotContain(app.Resources("AWS::IAM::Policy"), p => p.Id.StartsWith("WorkersMigrationTaskRole", StringComparison.Ordinal));

        var readme = File.ReadAllText(Path.Combine(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "README.md"));
        foreach (var action in TaskRoleActions("WorkersIngestTaskRole").Concat(TaskRoleActions("WorkersTransformTaskRole")))
        {
            Assert.Contains($"`{action}`", readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Listing_is_limited_to_the_source_prefixes_and_reading_to_their_objects()
    {
        var ingest = Statements("WorkersIngestTaskRole");
        var list = ingest.Single(s => Actions(s).Contains("s3:ListBucket"));
        Assert.Equal(["song_data/*", "log_data/*"],
            list.GetProperty("Condition").GetProperty("StringLike").GetProperty("s3:prefix").EnumerateArray().Select(p => p.GetString()));
        foreach (var statement in Statements("WorkersTransformTaskRole").Where(s => Actions(s).Contains("s3:GetObject")))
        {
            var resources = statement.GetProperty("Resource").GetRawText();
            Assert.Contains("/song_data/*", resources, StringComparison.Ordinal);
            Assert.Contains("/log_data/*", resources, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_task_has_an_execution_role_separate_from_its_task_role()
    {
        foreach (var prefix in new[] { "WorkersMigrationTask", "WorkersIngestTask", "WorkersTransformTask" })
        {
            var task = app.TaskDefinition(prefix);
            var execution = task.GetProperty("ExecutionRoleArn").GetRawText();
            var role = task.GetProperty("TaskRoleArn").GetRawText();
            Assert.NotEqual(execution, role);
        }
    }

    [Fact]
    public void Every_container_is_non_root_read_only_with_a_shell_free_health_check_and_the_stop_timeout()
    {
        foreach (var prefix in new[] { "WorkersMigrationTask", "WorkersIngestTask", "WorkersTransformTask" })
        {
            var container = app.Container(prefix);
            Assert.Equal("1654", container.GetProperty("User").GetString());
            Assert.True(container.GetProperty("ReadonlyRootFilesystem").GetBoolean());
            var command = container.GetProperty("HealthCheck").GetProperty("Command").EnumerateArray().Select(c => c.GetString()).ToList();
            Assert.Equal("CMD", command[0]);
            Assert.StartsWith("/app/", command[1]);
            Assert.Equal(120, container.GetProperty("StopTimeout").GetInt32());
            Assert.Equal("/tmp", container.GetProperty("MountPoints").EnumerateArray().Single().GetProperty("ContainerPath").GetString());
            Assert.Equal("awslogs", container.GetProperty("LogConfiguration").GetProperty("LogDriver").GetString());
            Assert.Equal("json", Environment(container, "Logging__Console__FormatterName"));
        }
        Assert.Equal(["CMD", "/app/Sparkify.Transform", "--health"],
            app.Container("WorkersTransformTask").GetProperty("HealthCheck").GetProperty("Command").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public void The_workers_drain_within_the_stop_timeout_and_leave_migrations_to_the_migration_task()
    {
        foreach (var prefix in new[] { "WorkersIngestTask", "WorkersTransformTask" })
        {
            var container = app.Container(prefix);
            var shutdown = int.Parse(Environment(container, "Sparkify__ShutdownTimeoutSeconds"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(shutdown, 5, container.GetProperty("StopTimeout").GetInt32() - 10);
            Assert.Equal("false", Environment(container, "Sparkify__MigrateAtStart"));
        }
        Assert.Equal(["create-tables"], app.Container("WorkersMigrationTask").GetProperty("Command").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public void Log_groups_keep_logs_for_the_configured_retention()
    {
        var groups = app.Resources("AWS::Logs::LogGroup").ToList();
        Assert.Equal(3, groups.Count);
        Assert.All(groups, g => Assert.Equal(30, g.Resource.GetProperty("Properties").GetProperty("RetentionInDays").GetInt32()));
    }

    [Fact]
    public void Transform_scales_on_queue_depth_and_never_on_CPU()
    {
        app.Template.HasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Props(("MinCapacity", 1), ("MaxCapacity", 4)));
        var policies = app.Resources("AWS::ApplicationAutoScaling::ScalingPolicy").ToList();
        Assert.NotEmpty(policies);
        Assert.All(policies, p => Assert.Equal("StepScaling", p.Resource.GetProperty("Properties").GetProperty("PolicyType").GetString()));
        var scalingAlarms = app.Resources("AWS::CloudWatch::Alarm").Where(a => a.Id.Contains("QueueDepth", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(scalingAlarms);
        Assert.All(scalingAlarms, a => Assert.Equal("ApproximateNumberOfMessagesVisible", a.Resource.GetProperty("Properties").GetProperty("MetricName").GetString()));
        Assert.DoesNotContain(app.Resources("AWS::CloudWatch::Alarm"), a => a.Resource.GetProperty("Properties").TryGetProperty("MetricName", out var m) && m.GetString() == "CPUUtilization");
    }

    [Fact]
    public void Ingest_runs_on_a_schedule_in_once_mode()
    {
        app.Template.HasResourceProperties("AWS::Events::Rule", Props(("ScheduleExpression", "rate(15 minutes)")));
        Assert.Equal("Once", Environment(app.Container("WorkersIngestTask"), "Sparkify__Ingest__Mode"));
    }

    [Fact]
    public void Alarms_watch_dead_letters_and_the_age_of_the_oldest_message()
    {
        app.Template.HasResourceProperties("AWS::CloudWatch::Alarm", Props(
            ("MetricName", "ApproximateNumberOfMessagesVisible"), ("Threshold", 0), ("ComparisonOperator", "GreaterThanThreshold"),
            ("Dimensions", Match.ArrayWith([Match.ObjectLike(Props(("Value", Match.ObjectLike(Props(("Fn::GetAtt", Match.ArrayWith([Match.StringLikeRegexp("DeadLetters.*")])))))))])),
            ("AlarmActions", Match.AnyValue())));
        app.Template.HasResourceProperties("AWS::CloudWatch::Alarm", Props(("MetricName", "ApproximateAgeOfOldestMessage"), ("Threshold", 1800), ("AlarmActions", Match.AnyValue())));
    }

    [Fact]
    public void The_outputs_say_everything_a_user_needs_next()
    {
        var outputs = app.Json.RootElement.GetProperty("Outputs").EnumerateObject().Select(o => o.Name).ToHashSet();
        foreach (var name in new[] { "BucketName", "FileQueueUrl", "DeadLetterQueueUrl", "DatabaseEndpoint", "DatabaseSecretArn", "LogGroups", "RunMigrationCommand", "ClusterName", "AlarmTopicArn" })
        {
            Assert.Contains(name, outputs);
        }
        Assert.Contains("aws ecs run-task", app.Json.RootElement.GetProperty("Outputs").GetProperty("RunMigrationCommand").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_registry_stack_holds_the_three_repositories_the_tasks_pull_from()
    {
        foreach (var repository in WorkerImages.All)
        {
            app.RegistryTemplate.HasResourceProperties("AWS::ECR::Repository", Props(("RepositoryName", repository)));
            Assert.Contains(app.Resources("AWS::ECS::TaskDefinition"), t => t.Resource.GetRawText().Contains($"/{repository}:1.0.0-test", StringComparison.Ordinal));
        }
    }

    internal static string Environment(JsonElement container, string name) =>
        container.GetProperty("Environment").EnumerateArray().Single(e => e.GetProperty("Name").GetString() == name).GetProperty("Value").GetString()!;

    private static IEnumerable<string> Actions(JsonElement statement) =>
        statement.GetProperty("Action") is { ValueKind: JsonValueKind.Array } many ? many.EnumerateArray().Select(a => a.GetString()!) : [statement.GetProperty("Action").GetString()!];

    private List<JsonElement> Statements(string rolePrefix) =>
        [.. app.Resources("AWS::IAM::Policy").Where(p => p.Id.StartsWith(rolePrefix, StringComparison.Ordinal))
            .SelectMany(p => p.Resource.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())];

    private List<string> TaskRoleActions(string rolePrefix) => [.. Statements(rolePrefix).SelectMany(Actions).Distinct().Order(StringComparer.Ordinal)];
}
