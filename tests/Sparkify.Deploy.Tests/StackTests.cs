using System.Text.Json;
using Amazon.CDK.Assertions;
using Sparkify.DevTools;

namespace Sparkify.Deploy.Tests;

/// <summary>The synthesized product stack with the default settings: what the deployment promises, resource by resource.</summary>
[Collection(DefaultStack.Name)]
public sealed class StackTests(DefaultApp app)
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
        var services = app.Resources("AWS::ECS::Service").ToList();
        Assert.Equal(2, services.Count);
        Assert.All(services, service => Assert.Equal("DISABLED",
            service.Resource.GetProperty("Properties").GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration").GetProperty("AssignPublicIp").GetString()));
    }

    [Fact]
    public void Ingest_runs_in_once_mode()
    {
        Assert.Equal("Once", Environment(app.Container("WorkersIngestTask"), "Sparkify__Ingest__Mode"));
    }

    [Fact]
    public void The_file_queue_dead_letters_after_exactly_the_receives_the_transform_is_given()
    {
        var queue = app.Resources("AWS::SQS::Queue").Single(q => TemplateReferences.Stem(q.Id) == "Files");
        var redrive = queue.Resource.GetProperty("Properties").GetProperty("RedrivePolicy");
        Assert.Equal(3, redrive.GetProperty("maxReceiveCount").GetInt32());
        Assert.Equal(redrive.GetProperty("maxReceiveCount").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Environment(app.Container("WorkersTransformTask"), "Sparkify__Transform__MaxReceives"));
        Assert.Equal(queue.Resource.GetProperty("Properties").GetProperty("VisibilityTimeout").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Environment(app.Container("WorkersTransformTask"), "Sparkify__Transform__VisibilityTimeoutSeconds"));
    }

    [Fact]
    public void Credentials_reach_the_tasks_only_as_secrets_the_master_login_only_the_migration()
    {
        Assert.Equal(["PGUSER master secret:username::", "PGPASSWORD master secret:password::", "SPARKIFY_WORKER_PASSWORD workers' secret:password::"],
            Secrets(app.Container("WorkersMigrationTask")));
        foreach (var prefix in new[] { "WorkersIngestTask", "WorkersTransformTask" })
        {
            var container = app.Container(prefix);
            Assert.Equal(["PGUSER workers' secret:username::"], Secrets(container));
            // The password is read from Secrets Manager at run time (rotation), by the secret's ARN.
            Assert.Equal("workers' secret", TemplateReferences.Describe(DataProtectionTests.EnvironmentValue(container, "Sparkify__Warehouse__PasswordSecret")));
        }
        foreach (var prefix in new[] { "WorkersMigrationTask", "WorkersIngestTask", "WorkersTransformTask" })
        {
            foreach (var variable in app.Container(prefix).GetProperty("Environment").EnumerateArray()
                .Where(v => v.GetProperty("Name").GetString() != "Sparkify__Warehouse__PasswordSecret"))
            {
                Assert.DoesNotContain("PASSWORD", variable.GetProperty("Name").GetString()!, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("password", variable.GetProperty("Value").GetRawText(), StringComparison.OrdinalIgnoreCase);
            }
        }
        app.Template.HasResourceProperties("AWS::SecretsManager::Secret", Props(("GenerateSecretString", Match.ObjectLike(Props(("GenerateStringKey", "password"))))));
    }

    /// <summary>A container's secrets as NAME SECRET:FIELD:: (the ECS form, with the secret named).</summary>
    private static List<string> Secrets(JsonElement container) =>
        [.. container.GetProperty("Secrets").EnumerateArray().Select(s => s.GetProperty("Name").GetString() + " " + TemplateReferences.Describe(s.GetProperty("ValueFrom")))];

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
        Assert.Equal(4, groups.Count);
        Assert.All(groups, g => Assert.Equal(30, g.Resource.GetProperty("Properties").GetProperty("RetentionInDays").GetInt32()));
    }

    [Fact]
    public void The_outputs_say_everything_a_user_needs_next()
    {
        var outputs = app.Json.RootElement.GetProperty("Outputs").EnumerateObject().Select(o => o.Name).ToHashSet();
        Assert.Equal(
            ["AlarmTopicArn", "ArrivalsQueueUrl", "BucketName", "ClusterName", "DatabaseEndpoint", "DatabaseSecretArn", "DeadLetterQueueUrl", "FileQueueUrl", "IngestTaskDefinitionArn",
             "LogGroups", "RunMigrationCommand", "TasksSecurityGroupId", "TransformServiceName", "WorkerSecretArn"],
            outputs.Order(StringComparer.Ordinal));
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

}
