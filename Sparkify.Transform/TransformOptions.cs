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

    /// <summary>How long a group's staging waits for a lock another transaction holds (see LoadOptions.LockTimeout).</summary>
    [Range(1, 3_600)]
    public int StagingLockTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// A batch's star-load claim older than this is taken over by another instance: the instance that claimed it is
    /// presumed dead. At least <see cref="StarLoadDeadlineSeconds"/> plus a margin (<see cref="StarLoadTimings"/>).
    /// </summary>
    [Range(1, 86_400)]
    public int StarLoadTakeoverSeconds { get; set; } = WorkerDefaults.StarLoadTakeoverSeconds;

    /// <summary>The longest a whole star load and its checks may run; then it is cancelled and retried later.</summary>
    [Range(1, 86_400)]
    public int StarLoadDeadlineSeconds { get; set; } = WorkerDefaults.StarLoadDeadlineSeconds;

    /// <summary>
    /// The longest one statement of a star load or its checks may run (the server's statement_timeout); at most
    /// <see cref="StarLoadDeadlineSeconds"/>.
    /// </summary>
    [Range(1, 86_400)]
    public int StarLoadTimeoutSeconds { get; set; } = WorkerDefaults.StarLoadTimeoutSeconds;

    /// <summary>
    /// How long a star load waits while another batch's star load runs (star loads run one at a time) before it gives
    /// its claim back, uncounted, to be tried again soon; a waiting load never runs into its own deadline.
    /// </summary>
    [Range(0, 3_600)]
    public int StarLoadLockWaitSeconds { get; set; } = 5;

    /// <summary>Star-load attempts that fail (an outage or a stop does not count) before the batch is failed with the reason.</summary>
    [Range(1, 100)]
    public int MaxStarLoadAttempts { get; set; } = 3;

    /// <summary>How often Transform looks for batches ready for their star load that no receiver finished (and at once after each star load it commits).</summary>
    [Range(1, 3_600)]
    public int SettledBatchCheckSeconds { get; set; } = 5;

    /// <summary>How often this instance looks for files whose message was dead-lettered or expired unsettled (see DeadLetterSweeper).</summary>
    [Range(1, 86_400)]
    public int DeadLetterSweepSeconds { get; set; } = 60;
}
