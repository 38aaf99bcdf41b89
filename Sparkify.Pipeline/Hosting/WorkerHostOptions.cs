using System.ComponentModel.DataAnnotations;

namespace Sparkify.Pipeline.Hosting;

/// <summary>How a worker process starts and stops (configuration section <c>Sparkify</c>).</summary>
public sealed class WorkerHostOptions
{
    public const string Section = "Sparkify";

    /// <summary>
    /// Apply pending migrations at start. Off by default: the migration (<c>sparkify create-tables</c>) runs once
    /// before the workers — the deployed migration task, or the AppHost's <c>migrations</c> resource locally — so
    /// workers need no DDL rights, and a worker refuses to start on a schema older than it needs.
    /// </summary>
    public bool MigrateAtStart { get; set; }

    /// <summary>
    /// Without migrations at start: how long a worker waits for the migration task to bring the schema up to date
    /// before it refuses to start (0: refuse at once). A deployment sets it so that services created before the
    /// migration task has run wait for it instead of failing their first deployment.
    /// </summary>
    [Range(0, 86_400)]
    public int SchemaWaitSeconds { get; set; }

    /// <summary>
    /// How long a stopping worker may take to drain (the host's ShutdownTimeout). Keep it below the scheduler's stop
    /// timeout (ECS: stopTimeout, at most 120 s on Fargate), which then kills the process.
    /// </summary>
    [Range(5, 3600)]
    public int ShutdownTimeoutSeconds { get; set; } = 90;
}
