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

    /// <summary>
    /// A service: consume the S3 event notifications of <see cref="IngestOptions.ArrivalsQueueName"/> and record and
    /// publish the new files in batches (<see cref="IngestOptions.ArrivalBatchMaxFiles"/> files or
    /// <see cref="IngestOptions.ArrivalBatchWindowSeconds"/> after the first arrival). The scheduled scan (<see cref="Once"/>)
    /// stays the reconciliation that finds what the events missed.
    /// </summary>
    Notifications,
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

    /// <summary>Keys asked for per ListObjectsV2 call (S3 returns at most 1,000); the scan holds one page at a time.</summary>
    [Range(1, 1000)]
    public int ListPageSize { get; set; } = 1000;

    /// <summary>
    /// Prefixes whose keys arrive in lexical order (the dated <c>log_data/YYYY/MM/…</c> layout), comma-separated: a
    /// scan lists them only after the key where their last listing ended (a watermark), except every
    /// <see cref="FullListingIntervalMinutes"/>, when it lists them whole. Empty: every scan lists every prefix whole.
    /// Each must be one of the scanned prefixes, as written there. <c>song_data/</c> keys are not dated: not ordered.
    /// Off by default (a re-uploaded or late file below the watermark waits for the next full listing): for a bucket
    /// whose listing has become the scan's cost, e.g. <c>log_data/</c>.
    /// </summary>
    public string OrderedPrefixes { get; set; } = "";

    /// <summary>
    /// How often an ordered prefix is listed whole all the same: a key that appears below its watermark (a late file, a
    /// re-upload) is found by the first full listing after it. 0: every listing is full.
    /// </summary>
    [Range(0, 525_600)]
    public int FullListingIntervalMinutes { get; set; } = 60;

    public IReadOnlySet<string> OrderedPrefixSet =>
        OrderedPrefixes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>The queue the source bucket sends its <c>s3:ObjectCreated:*</c> events to; required in <see cref="IngestMode.Notifications"/>.</summary>
    public string ArrivalsQueueName { get; set; } = "";

    /// <summary>Notification mode: a batch is recorded once it holds this many files.</summary>
    [Range(1, 100_000)]
    public int ArrivalBatchMaxFiles { get; set; } = 1000;

    /// <summary>Notification mode: a batch is recorded this long after its first arrival, however few files it holds.</summary>
    [Range(0, 900)]
    public int ArrivalBatchWindowSeconds { get; set; } = 10;

    /// <summary>Messages whose publication is recorded in one database update (a crash re-publishes at most this many).</summary>
    [Range(10, 100_000)]
    public int PublishCheckpointEvery { get; set; } = 500;
}
