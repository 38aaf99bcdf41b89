using System.Diagnostics;

namespace Sparkify.Deploy.Tests;

/// <summary>
/// `dotnet run --project Sparkify.Deploy` as the README has a person run it (the built app, in a folder of the test's,
/// without the CDK CLI's variables): the templates land in ./cdk.out, the app says so, and Node 20 prints no
/// end-of-life banner. One synthesis in a process of its own (about 20 s).
/// </summary>
public sealed class SynthByHandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("sparkify-synth-");

    [Fact]
    public async Task The_templates_go_to_cdk_out_in_the_current_folder_and_the_app_names_each_one()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sparkify.Deploy.dll"));
        // As by hand: no CLI-given folder, and the machine's Node (the other tests point jsii at the checkout's Node 22).
        info.Environment.Remove("CDK_OUTDIR");
        info.Environment.Remove("JSII_NODE");
        info.Environment.Remove("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var all = await output + await error;
        Assert.True(process.ExitCode == 0, all);

        var cdkOut = Path.Combine(_folder.FullName, "cdk.out");
        Assert.Contains($"Templates synthesized into {cdkOut}:", all, StringComparison.Ordinal);
        foreach (var stack in new[] { SparkifyApp.StackName, SparkifyApp.RegistryStackName })
        {
            var template = Path.Combine(cdkOut, stack + ".template.json");
            Assert.True(File.Exists(template), template);
            Assert.Contains($"  {stack}: {template}", all, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("end-of-life", all, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
