using System.Diagnostics;
using System.Reflection;
using Sparkify.DevTools;

namespace Sparkify.Cli.Tests;

/// <summary>
/// `scripts/install-sparkify.sh` as the README has a person run it: Sparkify.Cli packed as a .NET tool and installed,
/// so that a plain `sparkify` command runs this checkout's tool. Into a tool path of the test's own, never the
/// machine's global tools.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly DirectoryInfo _toolPath = Directory.CreateTempSubdirectory("sparkify-tool-");

    [Fact]
    public async Task The_script_installs_a_sparkify_command_that_runs_this_checkouts_tool()
    {
        var install = await RunAsync("bash", Path.Combine(Root, "scripts", "install-sparkify.sh"), "--tool-path", _toolPath.FullName);
        Assert.True(install.ExitCode == 0, install.Output);

        var command = Path.Combine(_toolPath.FullName, "sparkify");
        var version = await RunAsync(command, "--version");
        Assert.True(version.ExitCode == 0, version.Output);
        var expected = typeof(SparkifyCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected, version.Output.Trim());

        var help = await RunAsync(command, "--help");
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("sparkify [command] [options]", help.Output, StringComparison.Ordinal);
        Assert.Contains("report", help.Output, StringComparison.Ordinal);
    }

    private static string Root => LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public void Dispose() => _toolPath.Delete(recursive: true);
}
