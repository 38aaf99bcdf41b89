using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Sparkify.Deploy.Tests.Rehearsal;

/// <summary>A task's container run by podman as ECS would run it: same image, user, read-only root with /tmp writable, environment, secrets, health check and stop timeout; on the host network.</summary>
internal sealed class PodmanContainer : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _podman;

    private PodmanContainer(string name, TaskContainer task, IReadOnlyDictionary<string, string> podman)
    {
        Name = name;
        Task = task;
        _podman = podman;
    }

    public string Name { get; }
    public TaskContainer Task { get; }

    /// <param name="environment">The task's environment, resolved, plus what only a local run needs (the local endpoint).</param>
    /// <param name="secrets">The values ECS would take from Secrets Manager, by the secret names in the task definition.</param>
    public static async Task<PodmanContainer> StartAsync(string name, TaskContainer task, string registry, IReadOnlyDictionary<string, string> environment,
        IReadOnlyDictionary<string, string> secrets, IReadOnlyDictionary<string, string> podman, bool detach = true)
    {
        List<string> arguments =
        [
            "run", detach ? "-d" : "--rm", "--name", name, "--network=host", "--tls-verify=false",
            "--user", task.User,
            "--tmpfs", task.TmpMount + ":rw,mode=1777",
            "--health-cmd", JsonSerializer.Serialize(task.HealthCheck), "--health-interval=disable",
            "--stop-timeout", task.StopTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        if (task.ReadOnlyRoot)
        {
            arguments.Add("--read-only");
        }
        foreach (var (key, value) in environment)
        {
            arguments.AddRange(["-e", $"{key}={value}"]);
        }
        foreach (var secret in task.SecretNames)
        {
            arguments.AddRange(["-e", $"{secret}={secrets[secret]}"]);
        }
        arguments.Add($"{registry}/{task.Repository}:{task.Tag}");
        arguments.AddRange(task.Command);
        var container = new PodmanContainer(name, task, podman);
        var result = await Tool.RunAsync("podman", arguments, podman, TimeSpan.FromMinutes(3));
        container.ExitCodeOfForegroundRun = detach ? null : result.ExitCode;
        container.ForegroundOutput = result.Output + "\n" + result.Error;
        if (detach && result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Describe("podman run " + name));
        }
        return container;
    }

    public int? ExitCodeOfForegroundRun { get; private set; }
    public string ForegroundOutput { get; private set; } = "";

    /// <summary>The image's own health check, as the scheduler runs it.</summary>
    public async Task<bool> IsHealthyAsync() => (await Tool.RunAsync("podman", ["healthcheck", "run", Name], _podman)).ExitCode == 0;

    /// <summary><c>podman stop</c>: SIGTERM, then SIGKILL after the stop timeout. Returns the exit code and how long it took.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> StopAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        await Tool.RunCheckedAsync("podman", ["stop", Name], _podman, TimeSpan.FromSeconds(Task.StopTimeoutSeconds + 30));
        return (await ExitCodeAsync(), stopwatch.Elapsed);
    }

    public async Task KillAsync() => await Tool.RunCheckedAsync("podman", ["kill", "-s", "KILL", Name], _podman);

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        var output = await Tool.RunCheckedAsync("podman", ["wait", Name], _podman, timeout);
        return int.Parse(output.Split('\n')[^1], CultureInfo.InvariantCulture);
    }

    public async Task<int> ExitCodeAsync() =>
        int.Parse(await Tool.RunCheckedAsync("podman", ["inspect", "--format", "{{.State.ExitCode}}", Name], _podman), CultureInfo.InvariantCulture);

    public async Task<string> LogsAsync() => (await Tool.RunAsync("podman", ["logs", "--tail", "40", Name], _podman)) is var r
        ? $"--- {Name} ---\n{r.Output}\n{r.Error}"
        : "";

    public async ValueTask DisposeAsync() => await Tool.RunAsync("podman", ["rm", "-f", "-t", "0", Name], _podman);
}
