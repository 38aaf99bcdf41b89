using System.ComponentModel.DataAnnotations;

namespace Sparkify.Pipeline.Hosting;

/// <summary>How a worker process starts and stops (configuration section <c>Sparkify</c>).</summary>
public sealed class WorkerHostOptions
{
    public const string Section = "Sparkify";

    /// <summary>
    /// Apply pending migrations at start (local runs). In production this is off: the migration task
    /// (<c>sparkify create-tables</c>) runs once before the services, so workers need no DDL rights, and a worker
    /// refuses to start on a schema older than it needs.
    /// </summary>
    public bool MigrateAtStart { get; set; } = true;

    /// <summary>
    /// How long a stopping worker may take to drain (the host's ShutdownTimeout). Keep it below the scheduler's stop
    /// timeout (ECS: stopTimeout, at most 120 s on Fargate), which then kills the process.
    /// </summary>
    [Range(5, 3600)]
    public int ShutdownTimeoutSeconds { get; set; } = 90;
}
