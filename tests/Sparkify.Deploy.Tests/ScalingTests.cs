using System.Text.Json;

namespace Sparkify.Deploy.Tests;

/// <summary>Transform's task count: owned by the scaling policies alone, up on backlog, down only when nothing is in flight.</summary>
[Collection(DefaultStack.Name)]
public sealed class ScalingTests(DefaultApp app)
{
    [Fact]
    public void The_service_has_no_desired_count_for_a_deploy_to_reset()
    {
        var service = app.Resources("AWS::ECS::Service").Single(s => TemplateReferences.Stem(s.Id) == "WorkersTransformService").Resource.GetProperty("Properties");
        Assert.False(service.TryGetProperty("DesiredCount", out _));
        var target = app.Resources("AWS::ApplicationAutoScaling::ScalableTarget").Single().Resource.GetProperty("Properties");
        Assert.Equal((1, 4), (target.GetProperty("MinCapacity").GetInt32(), target.GetProperty("MaxCapacity").GetInt32()));
    }

    [Fact]
    public void It_scales_out_on_visible_messages_only()
    {
        var policy = Policy("WorkersTransformServiceTaskCountTargetBacklogUpperPolicy");
        Assert.Equal("""[{"MetricIntervalLowerBound":0,"MetricIntervalUpperBound":4500,"ScalingAdjustment":1},{"MetricIntervalLowerBound":4500,"ScalingAdjustment":3}]""",
            JsonSerializer.Serialize(policy.GetProperty("StepScalingPolicyConfiguration").GetProperty("StepAdjustments")));
        var alarm = Alarm("WorkersTransformServiceTaskCountTargetBacklogUpperAlarm");
        Assert.Equal("ApproximateNumberOfMessagesVisible", alarm.GetProperty("MetricName").GetString());
        Assert.Equal(("GreaterThanOrEqualToThreshold", 500), (alarm.GetProperty("ComparisonOperator").GetString(), alarm.GetProperty("Threshold").GetInt32()));
        Assert.Equal("file queue.QueueName", TemplateReferences.Describe(alarm.GetProperty("Dimensions")[0].GetProperty("Value")));
    }

    [Fact]
    public void It_scales_in_by_one_only_after_five_minutes_with_nothing_visible_and_nothing_in_flight()
    {
        var policy = Policy("WorkersTransformServiceTaskCountTargetIdleLowerPolicy");
        Assert.Equal("""[{"MetricIntervalUpperBound":0,"ScalingAdjustment":-1}]""",
            JsonSerializer.Serialize(policy.GetProperty("StepScalingPolicyConfiguration").GetProperty("StepAdjustments")));
        var alarm = Alarm("WorkersTransformServiceTaskCountTargetIdleLowerAlarm");
        Assert.Equal(("LessThanOrEqualToThreshold", 0, 5),
            (alarm.GetProperty("ComparisonOperator").GetString(), alarm.GetProperty("Threshold").GetInt32(), alarm.GetProperty("EvaluationPeriods").GetInt32()));
        var metrics = alarm.GetProperty("Metrics").EnumerateArray().ToList();
        var expression = Assert.Single(metrics, m => m.TryGetProperty("Expression", out _));
        var inputs = metrics.Where(m => m.TryGetProperty("MetricStat", out _))
            .ToDictionary(m => m.GetProperty("Id").GetString()!, m => m.GetProperty("MetricStat"));
        Assert.Equal("visible + inFlight", expression.GetProperty("Expression").GetString());
        Assert.Equal("ApproximateNumberOfMessagesVisible", inputs["visible"].GetProperty("Metric").GetProperty("MetricName").GetString());
        Assert.Equal("ApproximateNumberOfMessagesNotVisible", inputs["inFlight"].GetProperty("Metric").GetProperty("MetricName").GetString());
        Assert.All(inputs.Values, m => Assert.Equal("file queue.QueueName",
            TemplateReferences.Describe(m.GetProperty("Metric").GetProperty("Dimensions")[0].GetProperty("Value"))));
    }

    [Fact]
    public void Nothing_scales_on_CPU_and_there_are_exactly_the_two_policies()
    {
        Assert.Equal(
            ["WorkersTransformServiceTaskCountTargetBacklogUpperPolicy", "WorkersTransformServiceTaskCountTargetIdleLowerPolicy"],
            app.Resources("AWS::ApplicationAutoScaling::ScalingPolicy").Select(p => TemplateReferences.Stem(p.Id)).Order());
        Assert.DoesNotContain(app.Resources("AWS::CloudWatch::Alarm"),
            a => a.Resource.GetProperty("Properties").TryGetProperty("MetricName", out var m) && m.GetString() == "CPUUtilization");
    }

    private JsonElement Policy(string stem) =>
        app.Resources("AWS::ApplicationAutoScaling::ScalingPolicy").Single(p => TemplateReferences.Stem(p.Id) == stem).Resource.GetProperty("Properties");

    private JsonElement Alarm(string stem) =>
        app.Resources("AWS::CloudWatch::Alarm").Single(a => TemplateReferences.Stem(a.Id) == stem).Resource.GetProperty("Properties");
}
