namespace Sparkify.Pipeline.Tests;

public sealed class StarLoadTimingsTests
{
    [Fact]
    public void The_defaults_nest()
    {
        Assert.Empty(StarLoadTimings.Problems(WorkerDefaults.StarLoadTimeoutSeconds, WorkerDefaults.StarLoadDeadlineSeconds,
            WorkerDefaults.StarLoadTakeoverSeconds));
        Assert.Empty(StarLoadTimings.Problems(1, 1, 2));
    }

    [Fact]
    public void A_deadline_at_or_past_the_take_over_age_is_refused_by_name()
    {
        var problem = Assert.Single(StarLoadTimings.Problems(840, 900, 900));
        Assert.Contains("StarLoadDeadlineSeconds (900) must be below StarLoadTakeoverSeconds (900)", problem);
        Assert.Single(StarLoadTimings.Problems(10, 901, 900));
    }

    [Fact]
    public void A_statement_timeout_past_the_deadline_is_refused_by_name()
    {
        var problem = Assert.Single(StarLoadTimings.Problems(841, 840, 900));
        Assert.Contains("StarLoadTimeoutSeconds (841) must not exceed StarLoadDeadlineSeconds (840)", problem);
        Assert.Equal(2, StarLoadTimings.Problems(1000, 950, 900).Count);
    }
}
