using System.Diagnostics;
using System.Text.RegularExpressions;
using Sparkify.Pipeline;

namespace Sparkify.Testing;

/// <summary>
/// The local S3 + SQS endpoint (fauxqs, from tools/fauxqs) on a free loopback port, for tests. State is in memory
/// and goes with the process.
/// </summary>
public sealed partial class FauxqsServer : IAsyncDisposable
{
    private readonly Process _process;

    private FauxqsServer(Process process, string serviceUrl)
    {
        _process = process;
        ServiceUrl = serviceUrl;
    }

    public string ServiceUrl { get; }

    public static async Task<FauxqsServer> StartAsync()
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
        info.ArgumentList.Add("0");
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
        return new FauxqsServer(process, match.Groups[1].Value);
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
