using System.Text.Json;

namespace Sparkify.Deploy.Tests;

/// <summary>Notification mode on AWS: the bucket's events, their queue, and the Ingest service that consumes them.</summary>
[Collection(DefaultStack.Name)]
public sealed class ArrivalsTests(DefaultApp app)
{
    private Dictionary<string, JsonElement> Queues =>
        app.Resources("AWS::SQS::Queue").ToDictionary(q => TemplateReferences.Stem(q.Id), q => q.Resource.GetProperty("Properties"));

    [Fact]
    public void The_bucket_sends_object_created_events_under_each_source_prefix_to_the_arrivals_queue()
    {
        var notifications = app.Resources("Custom::S3BucketNotifications").Single().Resource.GetProperty("Properties");
        Assert.Equal("bucket", TemplateReferences.Describe(notifications.GetProperty("BucketName")));
        var configurations = notifications.GetProperty("NotificationConfiguration").GetProperty("QueueConfigurations").EnumerateArray()
            .Select(c => (
                Events: string.Join(",", c.GetProperty("Events").EnumerateArray().Select(e => e.GetString())),
                Queue: TemplateReferences.Describe(c.GetProperty("QueueArn")),
                Filter: string.Join(",", c.GetProperty("Filter").GetProperty("Key").GetProperty("FilterRules").EnumerateArray()
                    .Select(r => $"{r.GetProperty("Name").GetString()}={r.GetProperty("Value").GetString()}"))))
            .ToList();

        Assert.Equal(
            [("s3:ObjectCreated:*", "arrivals queue", "prefix=log_data/"), ("s3:ObjectCreated:*", "arrivals queue", "prefix=song_data/")],
            configurations.Order());
    }

    [Fact]
    public void The_arrivals_queue_admits_the_bucket_alone_and_dead_letters_to_its_own_queue()
    {
        var policy = app.Resources("AWS::SQS::QueuePolicy")
            .Single(p => TemplateReferences.DescribeEach(p.Resource.GetProperty("Properties").GetProperty("Queues")).SequenceEqual(["arrivals queue"]))
            .Resource.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray()
            .Single(s => s.GetProperty("Effect").GetString() == "Allow");
        Assert.Equal(["Service"], policy.GetProperty("Principal").EnumerateObject().Select(p => p.Name));
        Assert.Equal("s3.amazonaws.com", policy.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Contains("sqs:SendMessage", policy.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["bucket"], policy.GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn").ValueKind == JsonValueKind.Array
            ? policy.GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn").EnumerateArray().Select(TemplateReferences.Describe)
            : [TemplateReferences.Describe(policy.GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn"))]);

        var arrivals = Queues["Arrivals"];
        Assert.Equal("arrivals' dead-letter queue", TemplateReferences.Describe(arrivals.GetProperty("RedrivePolicy").GetProperty("deadLetterTargetArn")));
        Assert.Equal(5, arrivals.GetProperty("RedrivePolicy").GetProperty("maxReceiveCount").GetInt32());
        // Longer than a window held by Ingest (window + 300 s) with the default 10 s window.
        Assert.Equal(600, arrivals.GetProperty("VisibilityTimeout").GetInt32());
        Assert.Equal("byQueue", Queues["ArrivalDeadLetters"].GetProperty("RedriveAllowPolicy").GetProperty("redrivePermission").GetString());
        Assert.Equal(14 * 86_400, Queues["ArrivalDeadLetters"].GetProperty("MessageRetentionPeriod").GetInt32());
    }

    [Fact]
    public void One_Ingest_service_consumes_the_arrivals_queue_in_notification_mode_beside_the_scheduled_scan()
    {
        var container = app.Container("WorkersIngestEventsTask");
        Assert.Equal("Notifications", StackTests.Environment(container, "Sparkify__Ingest__Mode"));
        var queueName = container.GetProperty("Environment").EnumerateArray()
            .Single(e => e.GetProperty("Name").GetString() == "Sparkify__Ingest__ArrivalsQueueName").GetProperty("Value");
        Assert.Equal("arrivals queue.QueueName", TemplateReferences.Describe(queueName));
        Assert.Equal("Once", StackTests.Environment(app.Container("WorkersIngestTask"), "Sparkify__Ingest__Mode"));

        var service = app.Resources("AWS::ECS::Service").Single(s => TemplateReferences.Stem(s.Id) == "WorkersIngestEventsService").Resource.GetProperty("Properties");
        Assert.Equal(1, service.GetProperty("DesiredCount").GetInt32());
        Assert.Equal("WorkersIngestEventsTask", TemplateReferences.Describe(service.GetProperty("TaskDefinition")));
        Assert.Equal("WorkersIngestTaskRole", TemplateReferences.Describe(app.TaskDefinition("WorkersIngestEventsTask").GetProperty("TaskRoleArn")));
    }
}
