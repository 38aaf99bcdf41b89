using System.Globalization;
using System.Text.Json;

namespace Sparkify.Deploy.Tests.Rehearsal;

/// <summary>
/// One container of a synthesized ECS task definition, as cdk.out has it: image, command, user, environment, secret
/// names, health check and stop timeout. The rehearsal runs exactly this, resolving only what CloudFormation would
/// resolve (references to the bucket, queues, database and region) to their local counterparts.
/// </summary>
internal sealed record TaskContainer(
    string Repository, string Tag, IReadOnlyList<string> Command, string User, bool ReadOnlyRoot,
    IReadOnlyList<(string Name, JsonElement Value)> Environment, IReadOnlyList<string> SecretNames,
    IReadOnlyList<string> HealthCheck, int StopTimeoutSeconds, string TmpMount)
{
    public static TaskContainer Read(JsonElement container)
    {
        var (repository, tag) = ImageOf(container.GetProperty("Image"));
        var health = container.GetProperty("HealthCheck").GetProperty("Command").EnumerateArray().Select(c => c.GetString()!).ToList();
        if (health[0] != "CMD")
        {
            throw new InvalidOperationException($"the health check must run without a shell (CMD), not {health[0]}");
        }
        return new TaskContainer(
            repository, tag,
            container.TryGetProperty("Command", out var command) ? [.. command.EnumerateArray().Select(c => c.GetString()!)] : [],
            container.GetProperty("User").GetString()!,
            container.GetProperty("ReadonlyRootFilesystem").GetBoolean(),
            [.. container.GetProperty("Environment").EnumerateArray().Select(e => (e.GetProperty("Name").GetString()!, e.GetProperty("Value").Clone()))],
            [.. container.GetProperty("Secrets").EnumerateArray().Select(s => s.GetProperty("Name").GetString()!)],
            health.Skip(1).ToList(),
            container.GetProperty("StopTimeout").GetInt32(),
            container.GetProperty("MountPoints").EnumerateArray().Single().GetProperty("ContainerPath").GetString()!);
    }

    /// <summary>
    /// The environment the task gets: plain values as they are; values CloudFormation computes (Ref, GetAtt, Join)
    /// from <paramref name="resolved"/>, by variable name — a computed variable the rehearsal does not know fails it.
    /// </summary>
    public Dictionary<string, string> ResolveEnvironment(IReadOnlyDictionary<string, string> resolved)
    {
        var environment = new Dictionary<string, string>();
        foreach (var (name, value) in Environment)
        {
            environment[name] = value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : resolved.TryGetValue(name, out var local)
                    ? local
                    : throw new InvalidOperationException($"{name} is computed by CloudFormation ({value.GetRawText()}) and the rehearsal has no local value for it");
        }
        return environment;
    }

    /// <summary>The repository and tag in an ECR image reference: {"Fn::Join": ["", [account, ".dkr.ecr.", region, ..., "/repo:tag"]]}.</summary>
    private static (string Repository, string Tag) ImageOf(JsonElement image)
    {
        var text = image.ValueKind == JsonValueKind.String
            ? image.GetString()!
            : string.Concat(image.GetProperty("Fn::Join")[1].EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()));
        var path = text[(text.LastIndexOf('/') + 1)..];
        var colon = path.LastIndexOf(':');
        return (path[..colon], path[(colon + 1)..]);
    }

    public override string ToString() =>
        $"{Repository}:{Tag} user {User} stop {StopTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s health [{string.Join(' ', HealthCheck)}]";
}
