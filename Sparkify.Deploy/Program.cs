using Amazon.CDK;
using Sparkify.Deploy;

// `dotnet run --project Sparkify.Deploy` synthesizes the templates into ./cdk.out (no CDK CLI needed for that) and
// says where; `cdk deploy` (cdk.json at the repository root) runs the same into the CLI's CDK_OUTDIR and deploys them.
NodeVersionBanner.SilenceForCheckedNode();
var folder = SynthOutput.Folder(System.Environment.GetEnvironmentVariable("CDK_OUTDIR"), System.Environment.CurrentDirectory);
var (app, _, _) = SparkifyApp.Build(new AppProps { Outdir = folder });
var assembly = app.Synth();
// On stderr: `cdk synth` prints a template on stdout, and the CLI passes the app's output through.
foreach (var line in SynthOutput.Describe(assembly))
{
    Console.Error.WriteLine(line);
}
