namespace Sparkify.Deploy.Tests;

/// <summary>The CDK app refuses star-load timings that would let a running star load be taken over.</summary>
public sealed class StarLoadTimingSettingsTests
{
    [Fact]
    public void The_default_settings_are_valid()
    {
        new DeploySettings().Validate();
    }

    [Fact]
    public void A_star_load_deadline_not_below_the_take_over_age_is_refused_at_synth()
    {
        var settings = new DeploySettings { StarLoadTakeoverSeconds = 600, StarLoadDeadlineSeconds = 600, StarLoadTimeoutSeconds = 300 };

        var refused = Assert.Throws<ArgumentException>(settings.Validate);

        Assert.Contains("StarLoadDeadlineSeconds (600) must be below StarLoadTakeoverSeconds (600)", refused.Message);
    }

    [Fact]
    public void A_statement_timeout_past_the_deadline_is_refused_at_synth()
    {
        var settings = new DeploySettings { StarLoadTimeoutSeconds = 700, StarLoadDeadlineSeconds = 600 };

        Assert.Contains("must not exceed StarLoadDeadlineSeconds", Assert.Throws<ArgumentException>(settings.Validate).Message);
    }
}
