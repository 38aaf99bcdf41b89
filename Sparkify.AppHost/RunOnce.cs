using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sparkify.Reporting;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Reports;

namespace Sparkify.AppHost;

/// <summary>
/// Run-once mode for scripts and CI: start everything, wait until Ingest has published and every batch has ended,
/// print the warehouse counts and the check results, stop, and exit 0 — or non-zero with the reason.
/// </summary>
internal static class RunOnce
{
    public static async Task<int> RunAsync(DistributedApplication app, IResourceWithConnectionString warehouse,
        IResource ingest, SparkifySettings settings)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(settings.RunOnceTimeoutMinutes));
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var resources = app.Services.GetRequiredService<DistributedApplicationModel>().Resources;
        var recentLogs = new RecentLogs();
        recentLogs.Watch(app, [.. resources], timeout.Token);
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
                if (OtherStopped(notifications, resources, ingest) is { } stopped)
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
                if (OtherStopped(notifications, resources, ingest) is { } stopped)
                {
                    return await FailAsync(stopped.Reason, notifications, resources, recentLogs, stopped.Name);
                }
                await using var pending = dataSource.CreateCommand("SELECT count(*) FROM batches WHERE status IN ('open', 'loading_star')");
                if ((long)(await pending.ExecuteScalarAsync(timeout.Token))! == 0)
                {
                    break;
                }
                await Task.Delay(500, timeout.Token);
            }
            return await ReportAsync(dataSource, settings, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            PrintStates(notifications, resources);
            return Fail($"the batch did not finish within {settings.RunOnceTimeoutMinutes} minute(s)");
        }
        finally
        {
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

    /// <summary>A resource other than <paramref name="ingest"/> that has stopped, and how, or null.</summary>
    private static (string Name, string Reason)? OtherStopped(ResourceNotificationService notifications, IEnumerable<IResource> resources, IResource ingest)
    {
        foreach (var resource in resources.Where(r => r != ingest))
        {
            if (Ended(notifications, resource) is { } state)
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

    private static async Task<int> ReportAsync(NpgsqlDataSource dataSource, SparkifySettings settings, CancellationToken cancellationToken)
    {
        var counts = await new WarehouseStats(dataSource).CountAsync(cancellationToken);
        Console.WriteLine(JsonSerializer.Serialize(counts));
        await using var batches = dataSource.CreateCommand("SELECT batch_id, status, coalesce(error, '') FROM batches ORDER BY batch_id");
        var failures = new List<string>();
        await using (var reader = await batches.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                Console.WriteLine($"batch {reader.GetInt64(0)}: {reader.GetString(1)} {reader.GetString(2)}");
                if (reader.GetString(1) != "completed")
                {
                    failures.Add($"batch {reader.GetInt64(0)} {reader.GetString(1)}: {reader.GetString(2)}");
                }
            }
        }
        await using var checks = dataSource.CreateCommand(
            """
            SELECT check_name, passed, failing_rows FROM quality_check_results
            WHERE batch_id = (SELECT max(batch_id) FROM quality_check_results) ORDER BY check_name
            """);
        await using (var reader = await checks.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                Console.WriteLine($"  {(reader.GetBoolean(1) ? "pass" : "FAIL")}  {reader.GetString(0)}");
            }
        }
        await AnswersAsync(dataSource, settings, cancellationToken);
        return failures.Count == 0 ? 0 : Fail(string.Join("; ", failures));
    }

    /// <summary>The run ends with answers: a short summary, and the whole report with its charts as a file.</summary>
    private static async Task AnswersAsync(NpgsqlDataSource dataSource, SparkifySettings settings, CancellationToken cancellationToken)
    {
        var report = await new WarehouseReporter(dataSource).BuildAsync(ReportPeriod.All, cancellationToken: cancellationToken);
        Console.WriteLine();
        foreach (var line in ReportSummary.Lines(report))
        {
            Console.WriteLine(line);
        }
        var file = Path.Combine(settings.StateDirectory, "reports", settings.SourceName + ".html");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, ReportHtml.Render(report), cancellationToken);
        Console.WriteLine($"The full report, with charts: {file} (also the \"report\" page of the AppHost while it runs, and `sparkify report`).");
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

    private static int Fail(string reason)
    {
        Console.Error.WriteLine("run-once failed: " + reason);
        return 1;
    }
}
