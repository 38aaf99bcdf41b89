using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Sparkify.Deploy;
using Sparkify.Pipeline;
using Sparkify.DevTools;

namespace Sparkify.Deploy.Tests;

/// <summary>
/// The CDK app synthesized once (5-10 s) with the given context, into a cdk.out folder of its own: the product
/// stack's template for assertions, and the template file as JSON for reading task definitions.
/// </summary>
public class SynthesizedApp : IDisposable
{
    private readonly string _outdir = Directory.CreateTempSubdirectory("sparkify-cdk-").FullName;

    public SynthesizedApp(IDictionary<string, object> context)
    {
        UseSupportedNode();
        CdkOut = Path.Combine(_outdir, "cdk.out");
        var (app, registry, product) = SparkifyApp.Build(new AppProps { Context = context, Outdir = CdkOut });
        Stack = product;
        Template = Template.FromStack(product);
        RegistryTemplate = Template.FromStack(registry);
        app.Synth();
        Json = JsonDocument.Parse(File.ReadAllText(Path.Combine(CdkOut, SparkifyApp.StackName + ".template.json")));
    }

    /// <summary>The cloud assembly folder the app was synthesized into (the templates of both stacks).</summary>
    public string CdkOut { get; }

    public SparkifyStack Stack { get; }
    public Template Template { get; }
    public Template RegistryTemplate { get; }

    /// <summary>The product stack's template as written to cdk.out.</summary>
    public JsonDocument Json { get; }

    public IEnumerable<(string Id, JsonElement Resource)> Resources(string type) =>
        Json.RootElement.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("Type").GetString() == type)
            .Select(r => (r.Name, r.Value));

    public JsonElement Resource(string id) => Json.RootElement.GetProperty("Resources").GetProperty(id);

    /// <summary>The one container of the task definition whose logical id starts with <paramref name="prefix"/>.</summary>
    public JsonElement Container(string prefix) =>
        Resources("AWS::ECS::TaskDefinition").Single(r => r.Id.StartsWith(prefix, StringComparison.Ordinal))
            .Resource.GetProperty("Properties").GetProperty("ContainerDefinitions").EnumerateArray().Single();

    public JsonElement TaskDefinition(string prefix) =>
        Resources("AWS::ECS::TaskDefinition").Single(r => r.Id.StartsWith(prefix, StringComparison.Ordinal)).Resource.GetProperty("Properties");

    /// <summary>
    /// jsii runs the CDK in Node; the machine's Node 20 works but prints an end-of-life banner. The Node 22 that the
    /// local S3/SQS endpoint brings is used when it is there.
    /// </summary>
    private static void UseSupportedNode()
    {
        var node = LocalTools.FauxqsNode(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory));
        if (File.Exists(node) && System.Environment.GetEnvironmentVariable("JSII_NODE") is null)
        {
            System.Environment.SetEnvironmentVariable("JSII_NODE", node);
        }
    }

    public void Dispose()
    {
        Json.Dispose();
        Directory.Delete(_outdir, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The stack as a deployment with the documented defaults gets it.</summary>
public sealed class DefaultApp() : SynthesizedApp(new Dictionary<string, object> { ["imageTag"] = "1.0.0-test" });

/// <summary>The documented defaults, but interface endpoints instead of a NAT gateway.</summary>
public sealed class NoNatApp() : SynthesizedApp(new Dictionary<string, object> { ["imageTag"] = "1.0.0-test", ["natGateways"] = "0" });

/// <summary>Every alternative at once: an existing bucket and database, no NAT gateway, another receive count.</summary>
public sealed class AlternativeApp() : SynthesizedApp(new Dictionary<string, object>
{
    ["imageTag"] = "1.0.0-test",
    ["bucketName"] = "existing-sparkify-bucket",
    ["databaseSecret"] = "sparkify/warehouse",
    ["databaseHost"] = "warehouse.example.internal",
    ["natGateways"] = "0",
    ["maxReceives"] = "7",
    ["alarmEmail"] = "data-team@example.com",
});
