using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace Sparkify.Testing;

/// <summary>
/// A throwaway PostgreSQL server for tests: initdb into a temp folder, listen on a free loopback port, and stop
/// (fast shutdown) and delete everything on dispose. As root it runs as the <c>postgres</c> user, since the
/// server refuses to run as root.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private readonly string _root;
    private readonly PostgresServerOptions _options;
    private Process _process;
    private bool _running = true;

    private PostgresServer(string root, PostgresServerOptions options, Process process, int port)
    {
        _root = root;
        _options = options;
        _process = process;
        Port = port;
    }

    private static string DataDirectory(string root) => Path.Combine(root, "data");

    public int Port { get; }

    public string AdminConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Password = _options.AdminPassword, Database = database,
            Pooling = true, IncludeErrorDetail = true, Timeout = 15,
        }.ConnectionString;

    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync(new PostgresServerOptions(), cancellationToken);

    public static async Task<PostgresServer> StartAsync(PostgresServerOptions options, CancellationToken cancellationToken = default)
    {
        var binaries = FindBinaries();
        var root = Directory.CreateTempSubdirectory("sparkify-pg-").FullName;
        var dataDirectory = DataDirectory(root);
        var runAsPostgres = IsRoot();
        List<string> authentication = ["-A", "trust"];
        if (options.AdminPassword is { } password)
        {
            var passwordFile = Path.Combine(root, "admin-password");
            await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
            authentication = ["--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + passwordFile];
        }
        if (options.Tls is { } tls)
        {
            // The server reads them as itself, and refuses a key that others may read.
            File.Copy(tls.CertificateFile, Path.Combine(root, "server.crt"));
            File.Copy(tls.KeyFile, Path.Combine(root, "server.key"));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(root, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        if (runAsPostgres)
        {
            await RunToEndAsync("chown", ["-R", "postgres:postgres", root], runAsPostgres: false, cancellationToken);
        }
        await RunToEndAsync(Path.Combine(binaries, "initdb"),
            ["-D", dataDirectory, "-U", "postgres", .. authentication, "-E", "UTF8", "--locale=C", "--no-sync"],
            runAsPostgres, cancellationToken);

        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var process = StartServer(binaries, root, port, options);
            var server = new PostgresServer(root, options, process, port);
            if (await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30), cancellationToken))
            {
                return server;
            }
            var log = await process.StandardError.ReadToEndAsync(cancellationToken);
            await server.StopAsync(deleteFiles: attempt >= 3);
            if (attempt >= 3)
            {
                throw new InvalidOperationException($"PostgreSQL did not start on 127.0.0.1:{port}: {log}");
            }
        }
    }

    /// <summary>Creates a new, empty database (one per test or test class: never shared) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        if (prefix.Length is 0 or > 20 || !prefix.All(c => c is (>= 'a' and <= 'z') or '_'))
        {
            throw new ArgumentException("The prefix must be 1-20 lowercase letters or underscores.", nameof(prefix));
        }
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        // The name is made here from a fixed prefix and a GUID, never from input.
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    private async Task<bool> WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                return false;
            }
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false;Timeout=2");
                await connection.OpenAsync(cancellationToken);
                return true;
            }
            catch (NpgsqlException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync() => await StopAsync(deleteFiles: true);

    /// <summary>Stops the server (fast shutdown) and keeps its data, for <see cref="RestartAsync"/>: a database outage.</summary>
    public Task StopAsync() => StopAsync(deleteFiles: false);

    /// <summary>Starts the stopped server again on the same port, with the same data.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        _process = StartServer(FindBinaries(), _root, Port, _options);
        _running = true;
        if (!await WaitUntilReadyAsync(TimeSpan.FromSeconds(30), cancellationToken))
        {
            throw new InvalidOperationException($"PostgreSQL did not restart on 127.0.0.1:{Port}.");
        }
    }

    private static Process StartServer(string binaries, string root, int port, PostgresServerOptions options) =>
        Start(Path.Combine(binaries, "postgres"),
        [
            "-D", DataDirectory(root), "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", root, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200", "-c", "shared_buffers=256MB",
            .. options.Tls is null ? Array.Empty<string>()
                : ["-c", "ssl=on", "-c", "ssl_cert_file=" + Path.Combine(root, "server.crt"), "-c", "ssl_key_file=" + Path.Combine(root, "server.key")],
        ], IsRoot());

    private async Task StopAsync(bool deleteFiles)
    {
        NpgsqlConnection.ClearAllPools();
        // Stopped for an outage and never restarted: its process is gone already.
        if (_running)
        {
            await StopProcessAsync();
        }
        if (deleteFiles)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a dying backend; the temp folder is cleaned by the OS eventually.
            }
        }
    }

    private async Task StopProcessAsync()
    {
        _running = false;
        if (!_process.HasExited)
        {
            // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
            _ = SendSignal(_process.Id, 2);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("SPARKIFY_PG_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, postgres) were not found under /usr/lib/postgresql/*/bin. " +
            "Install them (apt-get install -y postgresql) or set SPARKIFY_PG_BIN.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    private static Process Start(string fileName, IReadOnlyList<string> arguments, bool runAsPostgres)
    {
        var info = new ProcessStartInfo
        {
            FileName = runAsPostgres ? "setpriv" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAsPostgres)
        {
            foreach (var argument in (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", fileName])
            {
                info.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        // Drain stdout so the server never blocks on a full pipe; stderr is read only when start-up fails.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task RunToEndAsync(string fileName, IReadOnlyList<string> arguments, bool runAsPostgres, CancellationToken cancellationToken)
    {
        using var process = Start(fileName, arguments, runAsPostgres);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} failed ({process.ExitCode}): {await errors}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
