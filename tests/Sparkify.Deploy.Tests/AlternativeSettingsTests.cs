using System.Text.Json;
using Amazon.CDK.Assertions;

namespace Sparkify.Deploy.Tests;

/// <summary>The stack with every alternative the context offers: an existing bucket and database, no NAT, another receive count.</summary>
public sealed class AlternativeSettingsTests(AlternativeApp app) : IClassFixture<AlternativeApp>
{
    [Fact]
    public void An_existing_bucket_is_used_not_created()
    {
        // Only the log bucket (flow logs) is created.
        Assert.Equal(["Logs"], app.Resources("AWS::S3::Bucket").Select(b => TemplateReferences.Stem(b.Id)));
        Assert.Equal("existing-sparkify-bucket", StackTests.Environment(app.Container("WorkersTransformTask"), "Sparkify__Bucket"));
    }

    [Fact]
    public void An_existing_database_is_reached_through_its_secret_and_host()
    {
        app.Template.ResourceCountIs("AWS::RDS::DBInstance", 0);
        app.Template.ResourceCountIs("AWS::EC2::SecurityGroupIngress", 5); // the interface endpoints' only: the database is not the stack's
        var container = app.Container("WorkersTransformTask");
        Assert.Equal($"Host=warehouse.example.internal;Port=5432;Database=sparkify;SSL Mode=VerifyFull;Root Certificate={WorkerImages.DatabaseCaBundlePath}",
            StackTests.Environment(container, "ConnectionStrings__warehouse"));
        // The migration logs in with the given secret; the workers with their own, created by the stack and rotated.
        var migration = app.Container("WorkersMigrationTask").GetProperty("Secrets").EnumerateArray().Select(s => TemplateReferences.Describe(s.GetProperty("ValueFrom"))).ToList();
        Assert.Equal(2, migration.Count(s => s.Contains(":secret:sparkify/warehouse", StringComparison.Ordinal)));
        Assert.Equal(["WarehouseWorkerSecret:username::"], container.GetProperty("Secrets").EnumerateArray().Select(s => TemplateReferences.Describe(s.GetProperty("ValueFrom"))));
        var secret = app.Resources("AWS::SecretsManager::Secret").Single().Resource.GetProperty("Properties").GetProperty("GenerateSecretString");
        Assert.Equal(["dbname=\"sparkify\"", "engine=\"postgres\"", "host=\"warehouse.example.internal\"", "port=5432", "username=\"sparkify_worker\""],
            JsonDocument.Parse(secret.GetProperty("SecretStringTemplate").GetString()!).RootElement.EnumerateObject()
                .Select(p => $"{p.Name}={p.Value.GetRawText()}").Order(StringComparer.Ordinal));
        var rotation = app.Resources("AWS::SecretsManager::RotationSchedule").Single().Resource.GetProperty("Properties");
        Assert.Equal("WarehouseWorkerSecret", TemplateReferences.Describe(rotation.GetProperty("SecretId")));
    }

    [Fact]
    public void Another_receive_count_reaches_both_the_queue_and_the_transform()
    {
        var redrive = app.Resources("AWS::SQS::Queue").Single(q => TemplateReferences.Stem(q.Id) == "Files").Resource
            .GetProperty("Properties").GetProperty("RedrivePolicy");
        Assert.Equal(7, redrive.GetProperty("maxReceiveCount").GetInt32());
        Assert.Equal("7", StackTests.Environment(app.Container("WorkersTransformTask"), "Sparkify__Transform__MaxReceives"));
    }

    [Fact]
    public void Without_NAT_the_tasks_reach_AWS_through_interface_endpoints()
    {
        app.Template.ResourceCountIs("AWS::EC2::NatGateway", 0);
        var services = app.Resources("AWS::EC2::VPCEndpoint")
            .Where(e => e.Resource.GetProperty("Properties").GetProperty("VpcEndpointType").GetString() == "Interface")
            .Select(e => e.Resource.GetProperty("Properties").GetProperty("ServiceName").GetRawText())
            .ToList();
        foreach (var service in new[] { "sqs", "ecr.api", "ecr.dkr", "logs", "secretsmanager" })
        {
            Assert.Contains(services, s => s.Contains("." + service + "\"", StringComparison.Ordinal) || s.EndsWith("." + service + "\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Alarms_mail_the_given_address()
    {
        app.Template.HasResourceProperties("AWS::SNS::Subscription", new Dictionary<string, object> { ["Protocol"] = "email", ["Endpoint"] = "data-team@example.com" });
        // Someone is subscribed: no warning that the alarms reach no one.
        Assert.DoesNotContain(Annotations.FromStack(app.Stack).FindWarning("*", Match.AnyValue()),
            w => w.Entry.Data?.ToString()?.Contains(OnCall.NoSubscriberWarning, StringComparison.Ordinal) == true);
    }
}

public sealed class DeploySettingsTests
{
    [Theory]
    [InlineData("maxReceives", "0")]
    [InlineData("stopTimeoutSeconds", "300")]
    [InlineData("transformMinTasks", "0")]
    [InlineData("imageTag", "bad tag")]
    [InlineData("databaseSecret", "only-the-secret")]
    public void Impossible_settings_are_refused_with_the_setting_named(string key, string value)
    {
        var app = new Amazon.CDK.App(new Amazon.CDK.AppProps { Context = new Dictionary<string, object> { [key] = value } });
        var exception = Assert.Throws<ArgumentException>(() => DeploySettings.FromContext(app.Node));
        Assert.Contains(key, exception.Message, StringComparison.Ordinal);
    }
}
