using System.Diagnostics;
using System.Globalization;

namespace Sparkify.AppHost;

/// <summary>
/// The local warehouse kept for a data source between runs: says what is there, empties it on request, and makes sure
/// its server has stopped — the orchestrator stops executables after the AppHost has gone, so a server could otherwise
/// outlive the run by many seconds and hold its data folder against the next one.
/// </summary>
internal static class LocalWarehouseState
{
    public static async Task PrepareAsync(SparkifySettings settings)
    {
        var directory = settings.WarehouseDirectory;
        await StopServerAsync(directory);
        if (settings.Fresh && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
            Console.Error.WriteLine($"--fresh: deleted the warehouse kept for {settings.SourceName} ({directory}).");
            return;
        }
        Console.Error.WriteLine(File.Exists(Path.Combine(directory, "PG_VERSION"))
            ? $"Warehouse for {settings.SourceName}: the one kept in {directory} from an earlier run (files loaded then are not loaded again; --fresh starts empty)."
            : $"Warehouse for {settings.SourceName}: new, in {directory}.");
    }

    /// <summary>Stops (fast shutdown) the server running on <paramref name="directory"/>, if any, and waits until it has.</summary>
    public static async Task StopServerAsync(string directory)
    {
        if (ServerProcess(directory) is not { } server)
        {
            return;
        }
        using (server)
        {
            using (var signal = Process.Start("kill", ["-INT", server.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await signal.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"The PostgreSQL server on {directory} (pid {server.Id}) did not stop within 30 s.");
            }
        }
    }

    /// <summary>The live postmaster of a data folder, from the first line of its postmaster.pid.</summary>
    private static Process? ServerProcess(string directory)
    {
        try
        {
            var firstLine = File.ReadLines(Path.Combine(directory, "postmaster.pid")).FirstOrDefault();
            if (!int.TryParse(firstLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }
            var process = Process.GetProcessById(pid);
            if (process.ProcessName == "postgres")
            {
                return process;
            }
            process.Dispose();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
        }
        return null;
    }
}
