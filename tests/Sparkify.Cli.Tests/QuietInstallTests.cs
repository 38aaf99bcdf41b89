using System.Diagnostics;
using Sparkify.DevTools;

namespace Sparkify.Cli.Tests;

/// <summary>
/// The scripts that install what is missing keep the installers' output (apt's progress, npm's) to themselves unless
/// the install fails. Shown on scripts/ensure-fauxqs.sh, copied with what it sources into a folder of the test's whose
/// tools/fauxqs has nothing installed, with an <c>npm</c> of the test's first on PATH that prints 700 lines and exits
/// as told.
/// </summary>
public sealed class QuietInstallTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("sparkify-quiet-install-");

    public QuietInstallTests()
    {
        var repository = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var scripts = Directory.CreateDirectory(Path.Combine(_root.FullName, "scripts"));
        File.Copy(Path.Combine(repository, "scripts", "ensure-fauxqs.sh"), Path.Combine(scripts.FullName, "ensure-fauxqs.sh"));
        var lib = Path.Combine(repository, "scripts", "lib");
        if (Directory.Exists(lib))
        {
            var copy = scripts.CreateSubdirectory("lib");
            foreach (var file in Directory.GetFiles(lib))
            {
                File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            }
        }
        Directory.CreateDirectory(Path.Combine(_root.FullName, "tools", "fauxqs"));
        var bin = Directory.CreateDirectory(Path.Combine(_root.FullName, "bin"));
        var npm = Path.Combine(bin.FullName, "npm");
        File.WriteAllText(npm, "#!/usr/bin/env bash\nfor i in $(seq 1 700); do echo \"npm progress line $i\"; echo \"npm warning line $i\" >&2; done\nexit \"$FAKE_NPM_EXIT\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(npm, (UnixFileMode)0b111_101_101);
        }
    }

    [Fact]
    public async Task An_install_that_succeeds_prints_none_of_the_installers_output()
    {
        var (exitCode, output) = await EnsureFauxqsAsync(npmExitCode: 0);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("line", output, StringComparison.Ordinal);
        Assert.True(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 2, output);
    }

    [Fact]
    public async Task An_install_that_fails_prints_the_tail_of_its_output_and_exits_non_zero()
    {
        var (exitCode, output) = await EnsureFauxqsAsync(npmExitCode: 7);

        Assert.True(exitCode != 0, output);
        Assert.Contains("npm warning line 700", output, StringComparison.Ordinal);
        Assert.Contains("npm ci", output, StringComparison.Ordinal);
        // The tail, not all 1,400 lines.
        Assert.DoesNotContain("npm progress line 1\n", output, StringComparison.Ordinal);
        Assert.True(output.Split('\n').Length < 100, $"{output.Split('\n').Length} lines");
    }

    private async Task<(int ExitCode, string Output)> EnsureFauxqsAsync(int npmExitCode)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(_root.FullName, "scripts", "ensure-fauxqs.sh"));
        info.Environment["PATH"] = Path.Combine(_root.FullName, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        info.Environment["FAKE_NPM_EXIT"] = npmExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
