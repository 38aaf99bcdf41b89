using System.Diagnostics;
using System.Globalization;

namespace Sparkify.Cli.Bench;

/// <summary>A child process run to completion, with its wall time and peak resident memory (VmHWM, sampled from /proc).</summary>
internal sealed class ChildProcess
{
    public sealed record Result(int ExitCode, TimeSpan Elapsed, long PeakRssBytes, string Output, string Error)
    {
        /// <summary>User + system CPU time, as last sampled before the process exited.</summary>
        public double CpuSeconds { get; init; }
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string?> environment,
        CancellationToken cancellationToken)
    {
        using var process = Start(fileName, arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        var cpu = 0.0;
        var peak = await SamplePeakRssUntilExitAsync(process, cancellationToken, seconds => cpu = seconds);
        return new Result(process.ExitCode, stopwatch.Elapsed, peak, await output, await error) { CpuSeconds = cpu };
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
    public static async Task<long> SamplePeakRssUntilExitAsync(Process process, CancellationToken cancellationToken, Action<double>? cpuSeconds = null)
    {
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, ReadPeakRss(process.Id));
            if (ReadCpuSeconds(process.Id) is { } cpu)
            {
                cpuSeconds?.Invoke(cpu);
            }
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

    /// <summary>User + system CPU seconds of a live process (and of its reaped children), from /proc/PID/stat.</summary>
    public static double? ReadCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces) start at field 3; utime is field 14.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
            return ticks / 100.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>CPU seconds of every process with the given command name (e.g. all PostgreSQL server processes).</summary>
    public static double CpuSecondsOfCommand(string command)
    {
        var total = 0.0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(directory);
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ReadComm(directory) == command)
            {
                total += ReadCpuSeconds(pid) ?? 0;
            }
        }
        return total;
    }

    private static string? ReadComm(string directory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, "comm")).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
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
