using System.ComponentModel.DataAnnotations;

namespace Sparkify.Ingest;

public enum IngestMode
{
    /// <summary>Scan once, publish what is new, exit.</summary>
    Once,

    /// <summary>Re-scan every <see cref="IngestOptions.WatchIntervalSeconds"/> and batch what is new.</summary>
    Watch,

    /// <summary>
    /// Drain the dead-letter queue: settle each dead message's own row in its batch, queue the current version of each
    /// dead file in a new batch unless it is loaded or in flight (after the file or the loader was fixed), delete the
    /// dead messages, exit.
    /// </summary>
    ReplayDeadLetters,
}

/// <summary>Configuration section <c>Sparkify:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "Sparkify:Ingest";

    public IngestMode Mode { get; set; } = IngestMode.Once;

    [Range(1, 86_400)]
    public int WatchIntervalSeconds { get; set; } = 30;

    /// <summary>
    /// Backfill: scan only these prefixes (e.g. <c>log_data/2018/11/</c>) instead of the configured ones, once.
    /// Files already loaded are skipped as always; files that failed or are new are (re)loaded.
    /// </summary>
    public List<string> BackfillPrefixes { get; set; } = [];

    /// <summary>
    /// The queue was created empty when this Ingest started (the local endpoint keeps its state in memory, and a kept
    /// warehouse outlives it): the first round publishes again every file still queued in an open batch, whose message
    /// went with the old queue. Never on AWS, whose queue keeps its messages.
    /// </summary>
    public bool QueueStartsEmpty { get; set; }

    /// <summary>Messages whose publication is recorded in one database update (a crash re-publishes at most this many).</summary>
    [Range(10, 100_000)]
    public int PublishCheckpointEvery { get; set; } = 500;
}
