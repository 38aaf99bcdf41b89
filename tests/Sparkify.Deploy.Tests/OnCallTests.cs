using System.Text.Json;
using Amazon.CDK.Assertions;

namespace Sparkify.Deploy.Tests;

/// <summary>What reaches the on-call engineer, and when.</summary>
[Collection(DefaultStack.Name)]
public sealed class OnCallTests(DefaultApp app)
{
    [Fact]
    public void Every_alarm_notifies_the_topic_with_its_metric_threshold_and_periods()
    {
        var alarms = app.Resources("AWS::CloudWatch::Alarm").Where(a => a.Id.StartsWith("OnCall", StringComparison.Ordinal))
            .Select(a => a.Resource.GetProperty("Properties"))
            .Select(a => (
                Metric: $"{a.GetProperty("Namespace").GetString()}/{a.GetProperty("MetricName").GetString()} {a.GetProperty("Statistic").GetString()} {a.GetProperty("Period").GetInt32()}s",
                Condition: $"{a.GetProperty("ComparisonOperator").GetString()} {a.GetProperty("Threshold").GetDouble()} x{a.GetProperty("EvaluationPeriods").GetInt32()} missing:{a.GetProperty("TreatMissingData").GetString()}",
                On: string.Join(",", a.GetProperty("Dimensions").EnumerateArray().Select(d => TemplateReferences.Describe(d.GetProperty("Value")))),
                Actions: string.Join(",", TemplateReferences.DescribeEach(a.GetProperty("AlarmActions")))))
            .Select(a => $"{a.Metric} | {a.Condition} | {a.On} | {a.Actions}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(
        [
            "AWS/Events/FailedInvocations Sum 300s | GreaterThanThreshold 0 x1 missing:notBreaching | WorkersIngestScheduleRule | alarm topic",
            "AWS/RDS/CPUCreditBalance Minimum 300s | LessThanThreshold 20 x3 missing:notBreaching | WarehouseInstance | alarm topic",
            "AWS/RDS/DatabaseConnections Maximum 300s | GreaterThanThreshold 60 x1 missing:notBreaching | WarehouseInstance | alarm topic",
            "AWS/RDS/FreeStorageSpace Minimum 300s | LessThanThreshold 2147483648 x1 missing:notBreaching | WarehouseInstance | alarm topic",
            "AWS/RDS/FreeableMemory Minimum 300s | LessThanThreshold 67108864 x3 missing:notBreaching | WarehouseInstance | alarm topic",
            "AWS/SQS/ApproximateAgeOfOldestMessage Maximum 300s | GreaterThanThreshold 1800 x2 missing:notBreaching | file queue.QueueName | alarm topic",
            "AWS/SQS/ApproximateAgeOfOldestMessage Maximum 300s | GreaterThanThreshold 600 x2 missing:notBreaching | arrivals queue.QueueName | alarm topic",
            "AWS/SQS/ApproximateNumberOfMessagesVisible Maximum 300s | GreaterThanThreshold 0 x1 missing:notBreaching | arrivals' dead-letter queue.QueueName | alarm topic",
            "AWS/SQS/ApproximateNumberOfMessagesVisible Maximum 300s | GreaterThanThreshold 0 x1 missing:notBreaching | dead-letter queue.QueueName | alarm topic",
            "AWS/SQS/ApproximateNumberOfMessagesVisible Maximum 300s | GreaterThanThreshold 0 x1 missing:notBreaching | schedule's dead-letter queue.QueueName | alarm topic",
            "ECS/ContainerInsights/RunningTaskCount Minimum 60s | LessThanThreshold 1 x5 missing:breaching | WorkersCluster,WorkersTransformService.Name | alarm topic",
        ], alarms);
    }

    [Fact]
    public void Tasks_that_stop_with_a_non_zero_exit_out_of_memory_or_without_starting_are_reported()
    {
        var rule = app.Resources("AWS::Events::Rule").Single(r => TemplateReferences.Stem(r.Id) == "OnCallTaskFailures").Resource.GetProperty("Properties");
        var pattern = rule.GetProperty("EventPattern");
        Assert.Equal("""["aws.ecs"]""", JsonSerializer.Serialize(pattern.GetProperty("source")));
        Assert.Equal("""["ECS Task State Change"]""", JsonSerializer.Serialize(pattern.GetProperty("detail-type")));
        var detail = pattern.GetProperty("detail");
        Assert.Equal(["WorkersCluster"], TemplateReferences.DescribeEach(detail.GetProperty("clusterArn")));
        Assert.Equal("""["STOPPED"]""", JsonSerializer.Serialize(detail.GetProperty("lastStatus")));
        Assert.Equal("""[{"containers":{"exitCode":[{"anything-but":0}]}},{"containers":{"reason":[{"prefix":"OutOfMemory"}]}},{"stopCode":["TaskFailedToStart"]}]""",
            JsonSerializer.Serialize(detail.GetProperty("$or")));
        var target = Assert.Single(rule.GetProperty("Targets").EnumerateArray());
        Assert.Equal("alarm topic", TemplateReferences.Describe(target.GetProperty("Arn")));
        Assert.Contains("<detail-containers-0--exitCode>", target.GetProperty("InputTransformer").GetProperty("InputTemplate").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_schedule_retries_a_failed_launch_for_an_hour_then_dead_letters_it()
    {
        var rule = app.Resources("AWS::Events::Rule").Single(r => TemplateReferences.Stem(r.Id) == "WorkersIngestScheduleRule").Resource.GetProperty("Properties");
        Assert.Equal("rate(15 minutes)", rule.GetProperty("ScheduleExpression").GetString());
        var target = Assert.Single(rule.GetProperty("Targets").EnumerateArray());
        Assert.Equal("""{"MaximumEventAgeInSeconds":3600,"MaximumRetryAttempts":5}""", JsonSerializer.Serialize(target.GetProperty("RetryPolicy")));
        Assert.Equal("schedule's dead-letter queue", TemplateReferences.Describe(target.GetProperty("DeadLetterConfig").GetProperty("Arn")));
        Assert.Equal("WorkersIngestTask", TemplateReferences.Describe(target.GetProperty("EcsParameters").GetProperty("TaskDefinitionArn")));
        Assert.Equal("DISABLED", target.GetProperty("EcsParameters").GetProperty("NetworkConfiguration").GetProperty("AwsVpcConfiguration").GetProperty("AssignPublicIp").GetString());
    }

    [Fact]
    public void Without_an_alarm_email_the_synthesis_warns_that_the_alarms_reach_no_one()
    {
        Annotations.FromStack(app.Stack).HasWarning("/Sparkify/OnCall", Match.StringLikeRegexp("No -c alarmEmail: the alarms go to the AlarmTopicArn topic, which nobody is subscribed to.*"));
        app.Template.ResourceCountIs("AWS::SNS::Subscription", 0);
        Assert.Contains(Annotations.FromStack(app.Stack).FindWarning("*", Match.AnyValue()),
            w => w.Entry.Data?.ToString()?.Contains(OnCall.NoSubscriberWarning, StringComparison.Ordinal) == true);
    }
}
