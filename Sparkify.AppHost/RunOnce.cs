using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Sparkify.AppHost;

/// <summary>
/// Run-once mode for scripts and CI: start everything, wait until Ingest has published and the batches this run opened
/// have ended, print the warehouse counts and this run's results (<see cref="RunOnceReport"/>), stop, and exit 0 — or
/// non-zero with the reason.
/// </summary>
internal static class RunOnce
{
    /// <param name="migrations">Ends by design: only its failure (a non-zero exit) ends the run.</param>
    public static async Task<int> RunAsync(DistributedApplication app, IResourceWithConnectionString warehouse,
        IResource migrations, IResource ingest, SparkifySettings settings)
    {
        // Batches opened from now on are this run's; a kept warehouse holds earlier runs' too, which are not judged here.
        var started = DateTimeOffset.UtcNow;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(settings.RunOnceTimeoutMinutes));
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var resources = app.Services.GetRequiredService<DistributedApplicationModel>().Resources;
        var recentLogs = new RecentLogs();
        recentLogs.Watch(app, [.. resources], timeout.Token);
        // The same progress lines as watch mode, until this run's batches have ended.
        var progress = BatchProgress.For(app, warehouse);
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var watchingProgress = progress.WatchAsync(stopProgress.Token);
        // Starting waits for every resource the workers wait for: a resource that fails meanwhile must end the run
        // then, so the watch below runs while the application is still starting.
        using var stopStarting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var starting = app.StartAsync(stopStarting.Token);
        try
        {
            // Until Ingest has published and ended: any other resource that stops (PostgreSQL that cannot start, the
            // local endpoint, Transform) ends the run at once, instead of leaving the rest waiting for it forever.
            while (true)
            {
                if (Ended(notifications, ingest) is { } ingestEnded)
                {
                    if (ingestEnded.ExitCode is not 0)
                    {
                        return await FailAsync($"ingest ended with exit code {ingestEnded.ExitCode?.ToString() ?? "unknown"} ({ingestEnded.State?.Text})",
                            notifications, resources, recentLogs, ingest.Name);
                    }
                    break;
                }
                if (OtherStopped(notifications, resources, migrations, ingest) is { } stopped)
                {
                    await stopStarting.CancelAsync();
                    return await FailAsync(stopped.Reason, notifications, resources, recentLogs, stopped.Name);
                }
                if (starting.IsFaulted)
                {
                    await starting;
                }
                await Task.Delay(250, timeout.Token);
            }
            await starting;

            await using var dataSource = NpgsqlDataSource.Create((await warehouse.GetConnectionStringAsync(timeout.Token))!);
            while (true)
            {
                if (OtherStopped(notifications, resources, migrations, ingest) is { } stopped)
                {
                    return await FailAsync(stopped.Reason, notifications, resources, recentLogs, stopped.Name);
                }
                await using var pending = dataSource.CreateCommand(
                    "SELECT count(*) FROM batches WHERE status IN ('open', 'loading_star') AND created_at >= $1");
                pending.Parameters.Add(new() { Value = started });
                if ((long)(await pending.ExecuteScalarAsync(timeout.Token))! == 0)
                {
                    break;
                }
                await Task.Delay(500, timeout.Token);
            }
            await stopProgress.CancelAsync();
            await watchingProgress;
            await progress.LookAsync(dataSource, timeout.Token);
            return await RunOnceReport.PrintAsync(dataSource, settings, started, timeout.Token) ? 0 : 1;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            PrintStates(notifications, resources);
            return Fail($"the batch did not finish within {settings.RunOnceTimeoutMinutes} minute(s)");
        }
        finally
        {
            await stopProgress.CancelAsync();
            await watchingProgress;
            try
            {
                await starting;
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A resource other than <paramref name="ingest"/> that has stopped (the migrations: failed), and how, or null.</summary>
    private static (string Name, string Reason)? OtherStopped(ResourceNotificationService notifications, IEnumerable<IResource> resources,
        IResource migrations, IResource ingest)
    {
        foreach (var resource in resources.Where(r => r != ingest))
        {
            if (Ended(notifications, resource) is { } state && !(resource == migrations && state.ExitCode == 0))
            {
                return (resource.Name, $"{resource.Name} stopped ({state.State?.Text}, exit code {state.ExitCode?.ToString() ?? "unknown"})");
            }
        }
        return null;
    }

    /// <summary>The resource's snapshot when it has reached a terminal state (exited, failed to start), else null.</summary>
    private static CustomResourceSnapshot? Ended(ResourceNotificationService notifications, IResource resource) =>
        notifications.TryGetCurrentState(resource.Name, out var current)
        && KnownResourceStates.TerminalStates.Contains(current.Snapshot.State?.Text)
            ? current.Snapshot
            : null;

    private static async Task<int> FailAsync(string reason, ResourceNotificationService notifications, IEnumerable<IResource> resources,
        RecentLogs recentLogs, string resourceName)
    {
        PrintStates(notifications, resources);
        await recentLogs.PrintAsync(resourceName);
        return Fail(reason);
    }

    /// <summary>Without a dashboard to look at, say where each resource stands.</summary>
    private static void PrintStates(ResourceNotificationService notifications, IEnumerable<IResource> resources)
    {
        foreach (var resource in resources)
        {
            if (notifications.TryGetCurrentState(resource.Name, out var state))
            {
                var health = string.Join(", ", state.Snapshot.HealthReports.Select(h => $"{h.Name} {h.Status} {h.Description}"));
                Console.Error.WriteLine($"  {resource.Name}: {state.Snapshot.State?.Text} (exit code {state.Snapshot.ExitCode?.ToString() ?? "-"}) {health}");
            }
        }
    }

    internal static int Fail(string reason)
    {
        Console.Error.WriteLine("run-once failed: " + reason);
        return 1;
    }
}
