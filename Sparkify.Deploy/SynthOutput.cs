using Amazon.CDK.CXAPI;

namespace Sparkify.Deploy;

/// <summary>Where `dotnet run --project Sparkify.Deploy` writes the templates, and the lines that tell a person.</summary>
public static class SynthOutput
{
    /// <summary>
    /// The cloud assembly folder: the CDK CLI's <c>CDK_OUTDIR</c> when it runs the app, otherwise <c>cdk.out</c> in the
    /// current directory — where cdk.json at the repository root has the CLI look too (CDK's own default would be a
    /// new temporary folder, which nobody finds).
    /// </summary>
    public static string Folder(string? cdkOutdir, string currentDirectory) =>
        string.IsNullOrEmpty(cdkOutdir) ? Path.Combine(currentDirectory, "cdk.out") : Path.GetFullPath(cdkOutdir, currentDirectory);

    /// <summary>One line for the folder, then one per stack with its template's full path.</summary>
    public static IEnumerable<string> Describe(CloudAssembly assembly)
    {
        yield return $"Templates synthesized into {assembly.Directory}:";
        foreach (var stack in assembly.Stacks)
        {
            yield return $"  {stack.StackName}: {stack.TemplateFullPath}";
        }
    }
}
