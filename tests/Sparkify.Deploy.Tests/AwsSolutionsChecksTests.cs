namespace Sparkify.Deploy.Tests;

/// <summary>
/// cdk-nag's AwsSolutions pack over the templates the app synthesizes, with a NAT gateway (the default) and without:
/// no error or warning is left unsuppressed, every suppression covers a finding, and says why.
/// </summary>
public sealed class AwsSolutionsChecksTests
{
    [Fact]
    public async Task The_default_stack_passes_the_AWS_Solutions_checks()
    {
        using var app = new DefaultApp();
        AssertPasses(await AwsSolutionsChecks.RunAsync(app.CdkOut));
    }

    [Fact]
    public async Task The_stack_without_NAT_passes_the_AWS_Solutions_checks()
    {
        using var app = new NoNatApp();
        AssertPasses(await AwsSolutionsChecks.RunAsync(app.CdkOut));
    }

    [Fact]
    public async Task The_stack_on_an_existing_bucket_and_database_passes_the_AWS_Solutions_checks()
    {
        using var app = new AlternativeApp();
        AssertPasses(await AwsSolutionsChecks.RunAsync(app.CdkOut));
    }

    private static void AssertPasses(AwsSolutionsChecks.Result result)
    {
        var open = result.Findings.Where(f => !f.Suppressed).ToList();
        Assert.True(open.Count == 0, "Unsuppressed findings:\n" + string.Join("\n", open));
        // The checker really ran: the stack has findings it suppresses (IAM5 on ecr:GetAuthorizationToken, for one).
        Assert.Contains(result.Findings, f => f.Suppressed);
        Assert.True(result.UnusedSuppressions.Count == 0, "Suppressions that cover no finding:\n" + string.Join("\n", result.UnusedSuppressions));
        Assert.All(result.Findings, f => Assert.True(f.Reason is { Length: >= 40 }, $"{f}: the reason does not say why"));
    }
}
