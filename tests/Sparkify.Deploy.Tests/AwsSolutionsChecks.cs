using System.Text.Json;
using Sparkify.DevTools;

namespace Sparkify.Deploy.Tests;

/// <summary>One finding of cdk-nag's AwsSolutions pack on a synthesized template, and the suppression that covers it.</summary>
public sealed record NagFinding(string Rule, string Severity, string Stack, string Resource, bool Suppressed, string? Reason)
{
    public override string ToString() => $"{Severity} {Rule} on {Stack}/{Resource}{(Suppressed ? $" (suppressed: {Reason})" : "")}";
}

/// <summary>A suppression written on a resource whose rule did not fire there: stale, or aimed at the wrong resource.</summary>
public sealed record UnusedSuppression(string Stack, string Resource, string Id, string Reason);

/// <summary>
/// Runs tools/cdk-nag/check.mjs (cdk-nag 3 on Node, over the templates in a cdk.out folder, with the suppressions the
/// templates carry as <c>cdk_nag</c> metadata). Installs it first when a checkout does not have it yet.
/// </summary>
public static class AwsSolutionsChecks
{
    public sealed record Result(IReadOnlyList<NagFinding> Findings, IReadOnlyList<UnusedSuppression> UnusedSuppressions, string Log);

    public static async Task<Result> RunAsync(string cdkOut)
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        await Tool.RunCheckedAsync(Path.Combine(root, "scripts", "ensure-cdk-nag.sh"), [], timeout: TimeSpan.FromMinutes(5));
        var node = LocalTools.FauxqsNode(root);
        var result = await Tool.RunAsync(File.Exists(node) ? node : "node", [Path.Combine(root, "tools", "cdk-nag", "check.mjs"), cdkOut],
            timeout: TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Describe("cdk-nag"));
        }
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        using var document = JsonDocument.Parse(result.Output);
        return new Result(
            document.RootElement.GetProperty("findings").Deserialize<List<NagFinding>>(options)!,
            document.RootElement.GetProperty("unusedSuppressions").Deserialize<List<UnusedSuppression>>(options)!,
            result.Error);
    }
}
