using System.Diagnostics;
using System.Globalization;

namespace Sparkify.Cli.Bench;

/// <summary>A child process run to completion, with its wall time and peak resident memory (VmHWM, sampled from /proc).</summary>
internal sealed class ChildProcess
{
    public sealed record Result(int ExitCode, TimeSpan Elapsed, long PeakRssBytes, string Output, string Error);

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string?> environment,
        CancellationToken cancellationToken)
    {
        using var process = Start(fileName, arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        var peak = await SamplePeakRssUntilExitAsync(process, cancellationToken);
        return new Result(process.ExitCode, stopwatch.Elapsed, peak, await output, await error);
    }

    public static Process Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
    }

    /// <summary>Polls the process's high-water mark of resident memory until it exits; returns the last value seen.</summary>
    public static async Task<long> SamplePeakRssUntilExitAsync(Process process, CancellationToken cancellationToken)
    {
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, ReadPeakRss(process.Id));
            try
            {
                await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
        await process.WaitForExitAsync(cancellationToken);
        return peak;
    }

    public static long ReadPeakRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process has just exited.
        }
        return 0;
    }
}
