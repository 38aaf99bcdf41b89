using System.ComponentModel.DataAnnotations;
using Sparkify.Pipeline;

namespace Sparkify.Transform;

/// <summary>Configuration section <c>Sparkify:Transform</c>.</summary>
public sealed class TransformOptions
{
    public const string Section = "Sparkify:Transform";

    /// <summary>Concurrent long-polling receivers, each staging up to 10 files per COPY.</summary>
    [Range(1, 64)]
    public int Receivers { get; set; } = WorkerDefaults.TransformReceivers;

    [Range(1, 20)]
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>
    /// Messages a receiver gathers (receiving again without waiting while full pages of 10 arrive) before staging
    /// them: many small files then share one COPY and one transaction.
    /// </summary>
    [Range(10, 1000)]
    public int MaxFilesPerGroup { get; set; } = 200;

    /// <summary>Visibility a message is given, and extended to every half of it while its file loads.</summary>
    [Range(5, 43_200)]
    public int VisibilityTimeoutSeconds { get; set; } = WorkerDefaults.VisibilityTimeoutSeconds;

    /// <summary>The queue's RedrivePolicy maxReceiveCount: on the last receive a failing file is marked failed in its batch.</summary>
    [Range(1, 1000)]
    public int MaxReceives { get; set; } = WorkerDefaults.MaxReceives;

    /// <summary>How soon a failed file is retried (its visibility is cut to this).</summary>
    [Range(0, 43_200)]
    public int RetryDelaySeconds { get; set; } = 2;

    [Range(0, int.MaxValue)]
    public int MaxErrorsPerFile { get; set; } = 10;

    /// <summary>
    /// A batch's star-load claim older than this is taken over by another instance: the instance that claimed it is
    /// presumed dead. Keep it well above the longest star load.
    /// </summary>
    [Range(1, 86_400)]
    public int StarLoadTakeoverSeconds { get; set; } = WorkerDefaults.StarLoadTakeoverSeconds;

    /// <summary>
    /// The longest one statement of a star load or its checks may run (the server's statement_timeout). Star loads
    /// grow with their batch; keep it below <see cref="StarLoadTakeoverSeconds"/>.
    /// </summary>
    [Range(1, 86_400)]
    public int StarLoadTimeoutSeconds { get; set; } = 840;

    /// <summary>Star-load attempts that fail (an outage does not count) before the batch is failed with the reason.</summary>
    [Range(1, 100)]
    public int MaxStarLoadAttempts { get; set; } = 3;

    /// <summary>How often this instance looks for files whose message was dead-lettered or expired unsettled (see DeadLetterSweeper).</summary>
    [Range(1, 86_400)]
    public int DeadLetterSweepSeconds { get; set; } = 60;
}
