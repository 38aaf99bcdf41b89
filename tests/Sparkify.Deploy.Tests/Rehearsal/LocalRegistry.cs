using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sparkify.Deploy.Tests.Rehearsal;

/// <summary>A container registry (Debian's docker-registry) on a free loopback port, its storage in a temporary folder.</summary>
internal sealed class LocalRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private LocalRegistry(Process process, string folder, string address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    /// <summary>host:port, as image references and publish-images.sh take it.</summary>
    public string Address { get; }

    public static async Task<LocalRegistry> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("sparkify-registry-").FullName;
        var port = FreePort();
        var config = Path.Combine(folder, "config.yml");
        await File.WriteAllTextAsync(config,
            $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {Path.Combine(folder, "data")}
            http:
              addr: 127.0.0.1:{port}
            """);
        var info = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add(config);
        var process = Process.Start(info) ?? throw new InvalidOperationException("docker-registry did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, folder, $"127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                if ((await http.GetAsync($"http://{registry.Address}/v2/")).StatusCode == HttpStatusCode.OK)
                {
                    return registry;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await registry.DisposeAsync();
        throw new InvalidOperationException($"the registry did not answer on {registry.Address}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
