using System.Diagnostics;
using System.Text.RegularExpressions;
using Sparkify.Pipeline;
using Sparkify.DevTools;

namespace Sparkify.Testing;

/// <summary>
/// The local S3 + SQS endpoint (fauxqs, from tools/fauxqs) on a free loopback port, for tests. State is in memory
/// and goes with the process, unless a data directory is given: then it is kept in SQLite there and a restart (same
/// port, same data) finds it again.
/// </summary>
public sealed partial class FauxqsServer : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private Process _process;

    private FauxqsServer(Process process, string serviceUrl, string? dataDirectory)
    {
        _process = process;
        ServiceUrl = serviceUrl;
        _dataDirectory = dataDirectory;
    }

    public string ServiceUrl { get; }

    public int Port => new Uri(ServiceUrl).Port;

    public static async Task<FauxqsServer> StartAsync(string? dataDirectory = null)
    {
        var (process, serviceUrl) = await LaunchAsync(0, dataDirectory);
        return new FauxqsServer(process, serviceUrl, dataDirectory);
    }

    /// <summary>Kills the endpoint (an outage); with a data directory, <see cref="RestartAsync"/> brings its state back.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async Task RestartAsync()
    {
        _process.Dispose();
        (_process, _) = await LaunchAsync(Port, _dataDirectory);
    }

    private static async Task<(Process, string)> LaunchAsync(int port, string? dataDirectory)
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var tools = LocalTools.FauxqsFolder(root);
        var node = LocalTools.FauxqsNode(root);
        if (!File.Exists(node))
        {
            throw new InvalidOperationException($"fauxqs is not installed: run `npm ci --prefix {tools}` (scripts/test.sh does).");
        }
        var info = new ProcessStartInfo(node)
        {
            WorkingDirectory = tools,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--no-warnings");
        info.ArgumentList.Add("launch.mjs");
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (dataDirectory is not null)
        {
            info.Environment["FAUXQS_DATA_DIR"] = dataDirectory;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start fauxqs.");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        var match = line is null ? null : ListeningLine().Match(line);
        if (match is not { Success: true })
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"fauxqs did not start: {line}");
        }
        return (process, match.Groups[1].Value);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
