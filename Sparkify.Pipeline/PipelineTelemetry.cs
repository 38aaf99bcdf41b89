using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sparkify.Pipeline;

/// <summary>The pipeline's spans and metrics (names under <c>Sparkify.*</c>, which ServiceDefaults exports).</summary>
public static class PipelineTelemetry
{
    public const string Name = "Sparkify.Pipeline";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> FilesPublished = Meter.CreateCounter<long>("sparkify.files.published", "{file}");
    public static readonly Counter<long> FilesStaged = Meter.CreateCounter<long>("sparkify.files.staged", "{file}");
    public static readonly Counter<long> FilesFailed = Meter.CreateCounter<long>("sparkify.files.failed", "{file}");
    public static readonly Counter<long> RowsStaged = Meter.CreateCounter<long>("sparkify.rows.staged", "{row}");
    public static readonly Counter<long> RowsRejected = Meter.CreateCounter<long>("sparkify.rows.rejected", "{row}");
    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("sparkify.batch.duration", "s");
    public static readonly Histogram<double> PhaseDuration = Meter.CreateHistogram<double>("sparkify.phase.duration", "s",
        "Busy time of one group of files in one phase (tag sparkify.phase).");
    public static readonly Histogram<double> QueueLag = Meter.CreateHistogram<double>("sparkify.queue.lag", "s",
        "Time from a file's message being sent to it being received.");
}
