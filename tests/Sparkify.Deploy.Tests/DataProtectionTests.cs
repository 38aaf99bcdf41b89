using System.Text.Json;

namespace Sparkify.Deploy.Tests;

/// <summary>
/// The data at rest and in transit, exactly: which encryption, the aws:SecureTransport denials, the only way into the
/// database, where dead letters go and how long they stay, what is logged and versioned.
/// </summary>
[Collection(DefaultStack.Name)]
public sealed class DataProtectionTests(DefaultApp app)
{
    [Fact]
    public void Both_buckets_are_encrypted_with_S3_managed_keys_private_and_kept()
    {
        var buckets = app.Resources("AWS::S3::Bucket").ToDictionary(b => TemplateReferences.Stem(b.Id), b => b.Resource);
        Assert.Equal(["Logs", "Source"], buckets.Keys.Order());
        foreach (var bucket in buckets.Values)
        {
            var properties = bucket.GetProperty("Properties");
            Assert.Equal("""{"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}""",
                Compact(properties.GetProperty("BucketEncryption")));
            Assert.Equal("""{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}""",
                Compact(properties.GetProperty("PublicAccessBlockConfiguration")));
            Assert.Equal("""{"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]}""", Compact(properties.GetProperty("OwnershipControls")));
            Assert.Equal("Retain", bucket.GetProperty("DeletionPolicy").GetString());
        }
    }

    [Fact]
    public void The_source_bucket_is_versioned_access_logged_and_expires_replaced_versions()
    {
        var source = app.Resources("AWS::S3::Bucket").Single(b => TemplateReferences.Stem(b.Id) == "Source").Resource.GetProperty("Properties");
        Assert.Equal("Enabled", source.GetProperty("VersioningConfiguration").GetProperty("Status").GetString());
        Assert.Equal("log bucket", TemplateReferences.Describe(source.GetProperty("LoggingConfiguration").GetProperty("DestinationBucketName")));
        Assert.Equal("source-bucket/", source.GetProperty("LoggingConfiguration").GetProperty("LogFilePrefix").GetString());
        Assert.Equal("""{"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7},"Id":"ExpireReplacedVersions","NoncurrentVersionExpiration":{"NoncurrentDays":30},"Status":"Enabled"}]}""",
            Compact(source.GetProperty("LifecycleConfiguration")));
        var logs = app.Resources("AWS::S3::Bucket").Single(b => TemplateReferences.Stem(b.Id) == "Logs").Resource.GetProperty("Properties");
        Assert.Equal("""{"Rules":[{"ExpirationInDays":365,"Id":"ExpireLogs","Status":"Enabled"}]}""", Compact(logs.GetProperty("LifecycleConfiguration")));
    }

    [Fact]
    public void Every_bucket_queue_and_topic_refuses_requests_without_TLS()
    {
        var denials = new List<string>();
        foreach (var type in new[] { "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy" })
        {
            foreach (var (_, policy) in app.Resources(type))
            {
                var statements = policy.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray()
                    .Where(s => s.GetProperty("Effect").GetString() == "Deny").ToList();
                var deny = Assert.Single(statements);
                Assert.Equal("""{"Bool":{"aws:SecureTransport":"false"}}""", Compact(deny.GetProperty("Condition")));
                Assert.Contains(Compact(deny.GetProperty("Principal")), new[] { """{"AWS":"*"}""", "\"*\"" });
                denials.Add($"{deny.GetProperty("Action").GetString()} {string.Join(" ", TemplateReferences.DescribeEach(deny.GetProperty("Resource")))}");
            }
        }
        Assert.Equal(
        [
            "s3:* bucket bucket/*",
            "s3:* log bucket log bucket/*",
            "sns:Publish alarm topic",
            "sqs:* arrivals queue",
            "sqs:* arrivals' dead-letter queue",
            "sqs:* dead-letter queue",
            "sqs:* file queue",
            "sqs:* schedule's dead-letter queue",
        ], denials.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_queue_is_encrypted_with_SQS_managed_keys()
    {
        var queues = app.Resources("AWS::SQS::Queue").ToList();
        Assert.Equal(5, queues.Count);
        Assert.All(queues, q =>
        {
            var properties = q.Resource.GetProperty("Properties");
            Assert.True(properties.GetProperty("SqsManagedSseEnabled").GetBoolean(), q.Id);
            Assert.False(properties.TryGetProperty("KmsMasterKeyId", out _), q.Id);
        });
    }

    [Fact]
    public void Dead_letters_go_to_the_dead_letter_queue_which_keeps_them_14_days_and_accepts_only_the_file_queue()
    {
        var queues = app.Resources("AWS::SQS::Queue").ToDictionary(q => TemplateReferences.Stem(q.Id), q => q.Resource.GetProperty("Properties"));
        var files = queues["Files"];
        Assert.Equal("dead-letter queue", TemplateReferences.Describe(files.GetProperty("RedrivePolicy").GetProperty("deadLetterTargetArn")));
        Assert.Equal(["deadLetterTargetArn", "maxReceiveCount"], files.GetProperty("RedrivePolicy").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(4 * 86_400, files.GetProperty("MessageRetentionPeriod").GetInt32());
        Assert.Equal("""{"redrivePermission":"denyAll"}""", Compact(files.GetProperty("RedriveAllowPolicy")));

        var deadLetters = queues["DeadLetters"];
        Assert.Equal(14 * 86_400, deadLetters.GetProperty("MessageRetentionPeriod").GetInt32());
        Assert.False(deadLetters.TryGetProperty("RedrivePolicy", out _));
        var allow = deadLetters.GetProperty("RedriveAllowPolicy");
        Assert.Equal("byQueue", allow.GetProperty("redrivePermission").GetString());
        Assert.Equal([$"arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{files.GetProperty("QueueName").GetString()}"],
            TemplateReferences.DescribeEach(allow.GetProperty("sourceQueueArns")));
        Assert.Equal("Sparkify-files", files.GetProperty("QueueName").GetString());
    }

    [Fact]
    public void Only_the_tasks_security_group_reaches_the_database_and_only_on_its_port()
    {
        var database = app.Resources("AWS::RDS::DBInstance").Single().Resource.GetProperty("Properties");
        Assert.Equal(["database's security group.GroupId"], TemplateReferences.DescribeEach(database.GetProperty("VPCSecurityGroups")));
        var group = app.Resources("AWS::EC2::SecurityGroup").Single(g => TemplateReferences.Stem(g.Id) == "WarehouseSecurityGroup").Resource.GetProperty("Properties");
        Assert.False(group.TryGetProperty("SecurityGroupIngress", out _), "no inline ingress rule");
        // AllowAllOutbound = false: CDK writes a rule that matches no traffic.
        Assert.Equal("255.255.255.255/32", Assert.Single(group.GetProperty("SecurityGroupEgress").EnumerateArray()).GetProperty("CidrIp").GetString());

        var ingress = app.Resources("AWS::EC2::SecurityGroupIngress").Select(i => i.Resource.GetProperty("Properties"))
            .Where(i => TemplateReferences.Describe(i.GetProperty("GroupId")) == "database's security group.GroupId").ToList();
        var rule = Assert.Single(ingress);
        Assert.Equal("tasks' security group.GroupId", TemplateReferences.Describe(rule.GetProperty("SourceSecurityGroupId")));
        Assert.Equal(("tcp", 5432, 5432), (rule.GetProperty("IpProtocol").GetString(), rule.GetProperty("FromPort").GetInt32(), rule.GetProperty("ToPort").GetInt32()));
        Assert.False(rule.TryGetProperty("CidrIp", out _) || rule.TryGetProperty("CidrIpv6", out _));
        Assert.False(database.GetProperty("PubliclyAccessible").GetBoolean());
    }

    [Fact]
    public void The_database_forces_TLS_in_its_own_parameter_group_and_the_tasks_verify_its_certificate()
    {
        var database = app.Resources("AWS::RDS::DBInstance").Single().Resource.GetProperty("Properties");
        Assert.Equal("WarehouseParameters", TemplateReferences.Describe(database.GetProperty("DBParameterGroupName")));
        var parameters = app.Resources("AWS::RDS::DBParameterGroup").Single().Resource.GetProperty("Properties");
        Assert.Equal("postgres16", parameters.GetProperty("Family").GetString());
        Assert.Equal("""{"rds.force_ssl":"1"}""", Compact(parameters.GetProperty("Parameters")));
        foreach (var task in new[] { "WorkersMigrationTask", "WorkersIngestTask", "WorkersTransformTask" })
        {
            var connection = TemplateReferences.Describe(EnvironmentValue(app.Container(task), "ConnectionStrings__warehouse"));
            Assert.Equal("Host=WarehouseInstance.Endpoint.Address;Port=WarehouseInstance.Endpoint.Port;Database=sparkify;SSL Mode=VerifyFull;" +
                $"Root Certificate={WorkerImages.DatabaseCaBundlePath}", connection);
        }
    }

    [Fact]
    public void The_database_is_encrypted_on_gp3_backed_up_and_protected_from_deletion()
    {
        var database = app.Resources("AWS::RDS::DBInstance").Single();
        var properties = database.Resource.GetProperty("Properties");
        Assert.True(properties.GetProperty("StorageEncrypted").GetBoolean());
        Assert.Equal("gp3", properties.GetProperty("StorageType").GetString());
        Assert.Equal(7, properties.GetProperty("BackupRetentionPeriod").GetInt32());
        Assert.True(properties.GetProperty("DeletionProtection").GetBoolean());
        Assert.Equal("Snapshot", database.Resource.GetProperty("DeletionPolicy").GetString());
    }

    [Fact]
    public void The_VPC_logs_every_flow_to_the_log_bucket()
    {
        var flowLog = app.Resources("AWS::EC2::FlowLog").Single().Resource.GetProperty("Properties");
        Assert.Equal("ALL", flowLog.GetProperty("TrafficType").GetString());
        Assert.Equal("s3", flowLog.GetProperty("LogDestinationType").GetString());
        Assert.Equal("log bucket/vpc-flow-logs/", TemplateReferences.Describe(flowLog.GetProperty("LogDestination")));
        Assert.Equal("NetworkVpc", TemplateReferences.Describe(flowLog.GetProperty("ResourceId")));
    }

    [Fact]
    public void Both_database_logins_rotate_every_30_days_inside_the_VPC()
    {
        var schedules = app.Resources("AWS::SecretsManager::RotationSchedule").Select(r => r.Resource.GetProperty("Properties")).ToList();
        Assert.Equal(["master secret", "workers' secret"], schedules.Select(s => TemplateReferences.Describe(s.GetProperty("SecretId"))).Order());
        Assert.All(schedules, s =>
        {
            Assert.Equal("""{"ScheduleExpression":"rate(30 days)"}""", Compact(s.GetProperty("RotationRules")));
            var lambda = s.GetProperty("HostedRotationLambda");
            Assert.Equal("PostgreSQLSingleUser", lambda.GetProperty("RotationType").GetString());
            Assert.Equal("tasks' security group.GroupId", TemplateReferences.Describe(lambda.GetProperty("VpcSecurityGroupIds")));
        });
    }

    internal static JsonElement EnvironmentValue(JsonElement container, string name) =>
        container.GetProperty("Environment").EnumerateArray().Single(e => e.GetProperty("Name").GetString() == name).GetProperty("Value");

    private static string Compact(JsonElement value) => JsonSerializer.Serialize(value);
}
