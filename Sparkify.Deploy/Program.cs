using Sparkify.Deploy;

// `dotnet run --project Sparkify.Deploy` synthesizes the templates into cdk.out (no CDK CLI needed for that);
// `cdk deploy` (cdk.json at the repository root) runs the same and deploys them.
var (app, _, _) = SparkifyApp.Build();
app.Synth();
