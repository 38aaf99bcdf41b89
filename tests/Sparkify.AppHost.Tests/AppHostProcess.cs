using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Sparkify.DevTools;

namespace Sparkify.AppHost.Tests;

/// <summary>
/// The AppHost as `scripts/run.sh` starts it, as a process of its own: its dashboard, OTLP, resource service and the
/// resources' endpoints on free loopback ports, its output (stdout and stderr, as lines) kept for assertions and failure messages.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _login = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="arguments">Configuration after the dll, such as <c>--Sparkify:RunOnce=true</c>.</param>
    public static AppHostProcess Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    /// <param name="environment">Environment variables set on top of the usual ones, such as a <c>HOME</c> of its own.</param>
    /// <param name="arguments">Configuration after the dll, such as <c>--Sparkify:RunOnce=true</c>.</param>
    public static AppHostProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(LocalTools.WorkerDll(root, "Sparkify.AppHost"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        // The resources' own endpoints (the report page's launch profile port) on free ports too, as in Aspire's tests.
        info.Environment["DcpPublisher__RandomizePorts"] = "true";
        info.Environment.Remove("ConnectionStrings__warehouse");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var appHost = new AppHostProcess(Process.Start(info)!);
        appHost._process.OutputDataReceived += (_, line) => appHost.Take(line.Data);
        appHost._process.ErrorDataReceived += (_, line) => appHost.Take(line.Data);
        appHost._process.BeginOutputReadLine();
        appHost._process.BeginErrorReadLine();
        return appHost;
    }

    /// <summary>The login URL the AppHost prints for its dashboard.</summary>
    public async Task<Uri> DashboardLoginAsync(TimeSpan timeout)
    {
        var first = await Task.WhenAny(_login.Task, _process.WaitForExitAsync(), Task.Delay(timeout));
        Assert.True(first == _login.Task, $"the AppHost printed no dashboard login URL:\n{Output}");
        return await _login.Task;
    }

    /// <summary>Whether a line matching <paramref name="pattern"/> is printed within <paramref name="timeout"/>.</summary>
    public async Task<bool> PrintsAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!pattern.IsMatch(Output))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                return pattern.IsMatch(Output);
            }
            await Task.Delay(250);
        }
        return true;
    }

    /// <summary>Its exit code; a run that does not end within <paramref name="timeout"/> is killed and fails the test.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the AppHost did not end within {timeout}:\n{Output}");
        }
        // The exit itself can come before the last lines are read.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Stops it as Ctrl+C does, so that it stops its PostgreSQL server; killed after a minute.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Take(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (LoginUrl().Match(line) is { Success: true } match)
        {
            _login.TrySetResult(new Uri(match.Value));
        }
    }

    [GeneratedRegex(@"https?://\S+/login\?t=\S+")]
    private static partial Regex LoginUrl();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
