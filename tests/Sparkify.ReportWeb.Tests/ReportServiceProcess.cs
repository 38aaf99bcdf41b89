using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sparkify.DevTools;

namespace Sparkify.ReportWeb.Tests;

/// <summary>The report service as its own process, on a free loopback port, over a warehouse the test made.</summary>
internal sealed class ReportServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ReportServiceProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>Its base address, ending in '/'.</summary>
    public string Url { get; }

    public static ReportServiceProcess Start(string connectionString, string environment = "Production")
    {
        var url = $"http://127.0.0.1:{FreePort()}/";
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(LocalTools.WorkerDll(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "Sparkify.ReportWeb"));
        info.Environment["ConnectionStrings__warehouse"] = connectionString;
        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        info.Environment["DOTNET_ENVIRONMENT"] = environment;
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ReportServiceProcess(process, url);
    }

    /// <summary>Until its health endpoint answers; fails when the process exits first or a minute passes.</summary>
    public async Task WaitUntilServingAsync(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync(Url + "health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"the report service did not answer on {Url}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
