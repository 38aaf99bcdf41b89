using Amazon.CDK;

namespace Sparkify.Deploy;

/// <summary>The CDK app: the registry stack (ECR repositories) and the product stack, configured from context.</summary>
public static class SparkifyApp
{
    public const string RegistryStackName = "SparkifyRegistry";
    public const string StackName = "Sparkify";

    public static (App App, SparkifyRegistryStack Registry, SparkifyStack Product) Build(AppProps? props = null)
    {
        var app = new App(props);
        // Server access logs are granted by a bucket policy rather than an ACL (the log bucket disables ACLs).
        app.Node.SetContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);
        var settings = DeploySettings.FromContext(app.Node);
        // Account and region from the CDK CLI (or the standard AWS environment); without them the stacks are environment-agnostic.
        var environment = new Amazon.CDK.Environment
        {
            Account = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
            Region = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"),
        };
        var stackProps = environment.Account is null || environment.Region is null ? new StackProps() : new StackProps { Env = environment };
        var registry = new SparkifyRegistryStack(app, RegistryStackName, stackProps);
        var product = new SparkifyStack(app, StackName, settings, stackProps);
        Tags.Of(app).Add("project", "sparkify");
        return (app, registry, product);
    }
}
