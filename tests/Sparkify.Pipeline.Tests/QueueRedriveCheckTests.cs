using Sparkify.Transform;

namespace Sparkify.Pipeline.Tests;

public sealed class QueueRedriveCheckTests
{
    private static readonly TransformOptions Options = new() { MaxReceives = 3, VisibilityTimeoutSeconds = 60, RetryDelaySeconds = 2 };

    private static Dictionary<string, string> Queue(string? redrivePolicy, int retentionSeconds = 345_600)
    {
        var attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "60", ["MessageRetentionPeriod"] = retentionSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (redrivePolicy is not null)
        {
            attributes["RedrivePolicy"] = redrivePolicy;
        }
        return attributes;
    }

    [Theory]
    [InlineData("""{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":"3"}""", 3)]
    [InlineData("""{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":7}""", 7)]
    [InlineData("""{"deadLetterTargetArn":"arn"}""", null)]
    [InlineData("not json", null)]
    [InlineData("", null)]
    public void Reads_maxReceiveCount_as_SQS_gives_it(string policy, int? expected) =>
        Assert.Equal(expected, QueueRedriveCheck.MaxReceiveCount(policy));

    [Fact]
    public void A_queue_whose_policy_matches_passes() =>
        Assert.Empty(QueueRedriveCheck.Problems("files", Queue("""{"deadLetterTargetArn":"arn","maxReceiveCount":3}"""), Options));

    [Fact]
    public void A_count_that_differs_from_MaxReceives_is_refused_with_both_numbers()
    {
        var problem = Assert.Single(QueueRedriveCheck.Problems("files", Queue("""{"deadLetterTargetArn":"arn","maxReceiveCount":5}"""), Options));
        Assert.Contains("after 5 receive(s)", problem);
        Assert.Contains("MaxReceives is 3", problem);
    }

    [Fact]
    public void A_queue_without_dead_letter_queue_is_refused()
    {
        var problem = Assert.Single(QueueRedriveCheck.Problems("files", Queue(null), Options));
        Assert.Contains("no RedrivePolicy", problem);
    }

    [Fact]
    public void A_retention_shorter_than_the_receives_can_take_is_refused()
    {
        var problem = Assert.Single(QueueRedriveCheck.Problems("files", Queue("""{"maxReceiveCount":3}""", retentionSeconds: 300), Options));
        Assert.Contains("keeps messages 300 s", problem);
    }

    [Theory]
    [InlineData(3, 360, false)] // 2 × 3 receives × 60 s: just long enough
    [InlineData(3, 359, true)]
    [InlineData(5, 599, true)]  // the queue's 5 receives count when they are more than MaxReceives (which is refused too)
    [InlineData(5, 600, false)]
    public void The_retention_must_cover_twice_every_receive_of_a_message(int maxReceiveCount, int retentionSeconds, bool refused)
    {
        var problems = QueueRedriveCheck.Problems("files", Queue($$"""{"maxReceiveCount":{{maxReceiveCount}}}""", retentionSeconds), Options);

        Assert.Equal(refused, problems.Any(p => p.Contains($"keeps messages {retentionSeconds} s", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_visibility_no_longer_than_the_retry_delay_is_refused()
    {
        var options = new TransformOptions { MaxReceives = 3, VisibilityTimeoutSeconds = 5, RetryDelaySeconds = 5 };
        Assert.Contains(QueueRedriveCheck.Problems("files", Queue("""{"maxReceiveCount":3}"""), options), p => p.Contains("RetryDelaySeconds", StringComparison.Ordinal));
    }
}
