using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sparkify.Deploy.Tests;

/// <summary>
/// A template value written with the names people use for the stack's resources: <c>{"Fn::GetAtt":["Files8E6940B8","Arn"]}</c>
/// is <c>file queue</c>, <c>Fn::Join</c> of the bucket's ARN and <c>/song_data/*</c> is <c>bucket/song_data/*</c>. A
/// resource without a name here is written as its logical id without the hash, a pseudo parameter as <c>${AWS::Region}</c>.
/// </summary>
public static partial class TemplateReferences
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["Source"] = "bucket",
        ["Logs"] = "log bucket",
        ["Files"] = "file queue",
        ["DeadLetters"] = "dead-letter queue",
        ["Arrivals"] = "arrivals queue",
        ["ArrivalDeadLetters"] = "arrivals' dead-letter queue",
        ["WarehouseWorkerSecretAttachment"] = "workers' secret",
        ["WarehouseInstanceSecretAttachment"] = "master secret",
        ["NetworkTasks"] = "tasks' security group",
        ["WarehouseSecurityGroup"] = "database's security group",
        ["OnCallAlarms"] = "alarm topic",
        ["WorkersIngestScheduleDeadLetters"] = "schedule's dead-letter queue",
    };

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Object when value.TryGetProperty("Ref", out var reference) => NameOf(reference.GetString()!),
        JsonValueKind.Object when value.TryGetProperty("Fn::GetAtt", out var attribute) =>
            NameOf(attribute[0].GetString()!) + (attribute[1].GetString() is "Arn" ? "" : "." + attribute[1].GetString()),
        JsonValueKind.Object when value.TryGetProperty("Fn::Join", out var join) =>
            string.Join(join[0].GetString(), join[1].EnumerateArray().Select(Describe)),
        _ => value.GetRawText(),
    };

    /// <summary>One value or each value of an array.</summary>
    public static IEnumerable<string> DescribeEach(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(Describe) : [Describe(value)];

    /// <summary>The logical id without CDK's hash suffix.</summary>
    public static string Stem(string logicalId) => HashSuffix().Replace(logicalId, "");

    private static string NameOf(string logicalId) =>
        logicalId.StartsWith("AWS::", StringComparison.Ordinal) ? "${" + logicalId + "}" : Names.GetValueOrDefault(Stem(logicalId), Stem(logicalId));

    [GeneratedRegex("[0-9A-F]{8}$")]
    private static partial Regex HashSuffix();
}
