using System.Collections;
using System.Runtime.CompilerServices;
using Amazon.CDK;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// cdk-nag rules this stack does not follow on purpose, written on the resource concerned as CloudFormation metadata
/// in the form cdk-nag itself writes: <c>cdk_nag: { rules_to_suppress: [ { id, reason, applies_to? } ] }</c>. The
/// suite's cdk-nag run (tools/cdk-nag/check.mjs) applies them and fails on any finding left, and on a suppression that
/// covers nothing.
/// </summary>
internal static class NagSuppressions
{
    private static readonly ConditionalWeakTable<CfnResource, List<Dictionary<string, object>>> Written = [];

    /// <summary>Suppresses <paramref name="rule"/> on the resource behind <paramref name="construct"/>.</summary>
    /// <param name="appliesTo">For rules with several findings per resource (IAM5): the findings accepted, as cdk-nag
    /// names them, e.g. <c>Resource::*</c> (see <see cref="Resource"/>).</param>
    public static void Add(IConstruct construct, string rule, string reason, params string[] appliesTo)
    {
        var resource = construct as CfnResource ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException($"{construct.Node.Path} has no CloudFormation resource to carry a suppression", nameof(construct));
        var rules = Written.GetOrCreateValue(resource);
        var entry = new Dictionary<string, object> { ["id"] = rule, ["reason"] = reason };
        if (appliesTo.Length > 0)
        {
            entry["applies_to"] = appliesTo;
        }
        rules.Add(entry);
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules.ToArray() });
    }

    /// <summary>
    /// An IAM resource as cdk-nag names it in an IAM5 finding (<c>Resource::…</c>): the ARN with its references written
    /// <c>&lt;LogicalId.Attribute&gt;</c> and <c>&lt;AWS::Partition&gt;</c>.
    /// </summary>
    public static string Resource(Amazon.CDK.Stack stack, string arn) => "Resource::" + Render(stack.Resolve(arn));

    private static string Render(object? value) => value switch
    {
        string text => text,
        IDictionary { Count: 1 } function when function.Contains("Ref") => $"<{Render(function["Ref"])}>",
        IDictionary { Count: 1 } function when function.Contains("Fn::GetAtt") && function["Fn::GetAtt"] is IList { Count: 2 } attribute =>
            $"<{Render(attribute[0])}.{Render(attribute[1])}>",
        IDictionary { Count: 1 } function when function.Contains("Fn::Join") && function["Fn::Join"] is IList { Count: 2 } join =>
            string.Join(Render(join[0]), ((IEnumerable)join[1]!).Cast<object?>().Select(Render)),
        _ => throw new NotSupportedException($"cannot name {value} as cdk-nag does"),
    };
}
