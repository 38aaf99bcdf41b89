using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.SQS;

namespace Sparkify.Deploy;

/// <summary>
/// How many Transform tasks run: more when files wait in the queue, one fewer only when nothing is in flight — no
/// message visible and none in anyone's hands — for five minutes in a row. Never on CPU: a CPU-driven scale-in
/// would stop tasks in the middle of their files. A task holding a group of files or running a star load is also
/// protected from scale-in by the Transform itself (ScaleInProtection, through the ECS agent), because the last
/// file's message is deleted before its batch's star load starts.
/// </summary>
internal static class TransformScaling
{
    public static void Apply(FargateService service, IQueue files, DeploySettings settings)
    {
        var capacity = service.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = settings.TransformMinTasks, MaxCapacity = settings.TransformMaxTasks });
        capacity.ScaleOnMetric("Backlog", new BasicStepScalingPolicyProps
        {
            Metric = files.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Maximum" }),
            ScalingSteps =
            [
                new ScalingInterval { Upper = 500, Change = 0 },
                new ScalingInterval { Lower = 500, Change = 1 },
                new ScalingInterval { Lower = 5000, Change = 3 },
            ],
            AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY,
            Cooldown = Duration.Minutes(3),
        });
        capacity.ScaleOnMetric("Idle", new BasicStepScalingPolicyProps
        {
            Metric = new MathExpression(new MathExpressionProps
            {
                Expression = "visible + inFlight",
                Label = "Files visible or in flight",
                UsingMetrics = new Dictionary<string, IMetric>
                {
                    ["visible"] = files.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Statistic = "Maximum" }),
                    ["inFlight"] = files.MetricApproximateNumberOfMessagesNotVisible(new MetricOptions { Statistic = "Maximum" }),
                },
                Period = Duration.Minutes(1),
            }),
            ScalingSteps =
            [
                new ScalingInterval { Upper = 0, Change = -1 },
                new ScalingInterval { Lower = 0, Change = 0 },
            ],
            AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY,
            EvaluationPeriods = 5,
            Cooldown = Duration.Minutes(5),
        });
    }
}
