using System.Diagnostics;

namespace Sparkify.Cli.Tests;

/// <summary>
/// Runs the built <c>sparkify</c> executable as a process with an environment of the test's choosing — for what a
/// process-wide setting of the test run (AWS credentials set by the fauxqs fixture) would hide in process.
/// </summary>
internal static class SparkifyProcess
{
    public static async Task<Sparkify.Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sparkify"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Sparkify.Result(process.ExitCode, await output, await error);
    }
}
