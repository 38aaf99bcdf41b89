using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Sparkify.AppHost;

/// <summary>
/// Keeps the last lines each watched resource logged, so run-once can show why a worker stopped when there is no
/// dashboard to look at.
/// </summary>
internal sealed class RecentLogs
{
    private const int LinesKept = 40;
    private readonly ConcurrentDictionary<string, Queue<string>> _lines = new();

    public void Watch(DistributedApplication app, IReadOnlyCollection<IResource> resources, CancellationToken cancellationToken)
    {
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        var watchedInstances = new HashSet<string>();
        _ = Task.Run(async () =>
        {
            try
            {
                // Logs are kept per running instance (a name with a suffix), which is known once DCP creates it.
                await foreach (var update in notifications.WatchAsync(cancellationToken))
                {
                    if (resources.Contains(update.Resource) && watchedInstances.Add(update.ResourceId))
                    {
                        var lines = _lines.GetOrAdd(update.Resource.Name, _ => new Queue<string>());
                        _ = KeepLastLinesAsync(loggers, update.ResourceId, lines, cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, cancellationToken);
    }

    private static async Task KeepLastLinesAsync(ResourceLoggerService loggers, string instanceName, Queue<string> lines,
        CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in loggers.WatchAsync(instanceName).WithCancellation(cancellationToken))
            {
                lock (lines)
                {
                    foreach (var line in batch)
                    {
                        lines.Enqueue(line.Content);
                        if (lines.Count > LinesKept)
                        {
                            lines.Dequeue();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task PrintAsync(string resourceName)
    {
        // A stopped process's last lines reach the log service a moment after its exit is reported.
        await Task.Delay(TimeSpan.FromSeconds(2));
        if (!_lines.TryGetValue(resourceName, out var lines))
        {
            return;
        }
        lock (lines)
        {
            Console.Error.WriteLine($"  last {lines.Count} log line(s) of {resourceName}:");
            foreach (var line in lines)
            {
                Console.Error.WriteLine("    " + line);
            }
        }
    }
}
