using System.Diagnostics;
using Sparkify.Pipeline;
using Sparkify.DevTools;

namespace Sparkify.Testing;

/// <summary>
/// A worker (Sparkify.Ingest or Sparkify.Transform) as a real process, built alongside the tests, configured by
/// environment like a deployed container, that a test can kill with SIGKILL. Its last output lines are kept for
/// failure messages.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const int LinesKept = 60;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <param name="project">Sparkify.Ingest or Sparkify.Transform.</param>
    public static WorkerProcess Start(string project, IReadOnlyDictionary<string, string> environment)
    {
        var dll = LocalTools.WorkerDll(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), project);
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        return new WorkerProcess(project, Process.Start(info) ?? throw new InvalidOperationException($"Could not start {project}."));
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a container is killed or a machine dies.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits until the worker writes a line that matches (or has written one among its last kept lines); fails at once
    /// if it exits first, and after <paramref name="timeout"/> with its last lines.
    /// </summary>
    public async Task WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.Any(match))
            {
                return;
            }
            _waiters.Add((match, seen));
        }
        using var deadline = new CancellationTokenSource(timeout);
        var exited = _process.WaitForExitAsync(deadline.Token);
        try
        {
            if (await Task.WhenAny(seen.Task, exited) != seen.Task)
            {
                await exited;
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before: {what}.\n{RecentOutput()}");
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not show within {timeout.TotalSeconds:F0} s: {what}.\n{RecentOutput()}");
        }
        finally
        {
            lock (_lines)
            {
                _waiters.RemoveAll(w => w.Seen == seen);
            }
        }
    }

    public string RecentOutput()
    {
        lock (_lines)
        {
            return $"--- last lines of {Name} (pid {_process.Id}) ---\n" + string.Join('\n', _lines);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            foreach (var waiter in _waiters.Where(w => w.Match(line)))
            {
                waiter.Seen.TrySetResult();
            }
            _lines.Enqueue(line);
            if (_lines.Count > LinesKept)
            {
                _lines.Dequeue();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
