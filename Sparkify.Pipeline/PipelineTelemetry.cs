using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sparkify.Pipeline;

/// <summary>The pipeline's spans and metrics (names under <c>Sparkify.*</c>, which ServiceDefaults exports).</summary>
public static class PipelineTelemetry
{
    public const string Name = "Sparkify.Pipeline";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> FilesPublished = Meter.CreateCounter<long>("sparkify.files.published", "{file}",
        "Files the Ingest queued as messages, one per new or changed S3 object.");
    public static readonly Counter<long> FilesStaged = Meter.CreateCounter<long>("sparkify.files.staged", "{file}",
        "Files whose rows the Transform committed to staging.");
    public static readonly Counter<long> FilesFailed = Meter.CreateCounter<long>("sparkify.files.failed", "{file}",
        "Files marked failed for good in their batch (too many bad rows, unreadable, gone), the reason kept in batch_files.");
    public static readonly Counter<long> RowsStaged = Meter.CreateCounter<long>("sparkify.rows.staged", "{row}",
        "Rows copied into staging_events or staging_songs.");
    public static readonly Counter<long> RowsRejected = Meter.CreateCounter<long>("sparkify.rows.rejected", "{row}",
        "Rows refused while staging (bad JSON, wrong types), each kept in load_errors.");
    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("sparkify.batch.duration", "s",
        "Time from a batch being opened by a scan to its star load being done.");
    public static readonly Histogram<double> StarLoadDuration = Meter.CreateHistogram<double>("sparkify.star_load.duration", "s",
        "Time of one batch's star load and quality checks.");
    public static readonly Histogram<double> PhaseDuration = Meter.CreateHistogram<double>("sparkify.phase.duration", "s",
        "Busy time of one group of files in one phase (tag sparkify.phase).");
    public static readonly Histogram<double> QueueLag = Meter.CreateHistogram<double>("sparkify.queue.lag", "s",
        "Time from a file's message being sent to it being received.");
}
