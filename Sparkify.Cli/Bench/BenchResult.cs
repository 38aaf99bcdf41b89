namespace Sparkify.Cli.Bench;

/// <summary>One way's measurement. <paramref name="PeakRss"/> maps each process involved to its peak resident bytes.</summary>
public sealed record BenchResult(
    string Way, bool Ran, string? Note, double WallSeconds, IReadOnlyDictionary<string, long> PeakRss,
    IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>Where the time went, in seconds per phase, when the way can tell.</summary>
    public IReadOnlyDictionary<string, double> Phases { get; init; } = new Dictionary<string, double>();

    /// <summary>Busy seconds by phase as the loaders recorded them (batch_phase_times), summed over parallel workers.</summary>
    public IReadOnlyDictionary<string, double> BusyTimes { get; init; } = new Dictionary<string, double>();

    /// <summary>Operations per second the local S3/SQS endpoint sustains on its own, when the way used it.</summary>
    public IReadOnlyDictionary<string, double> EndpointRates { get; init; } = new Dictionary<string, double>();

    /// <summary>CPU seconds each process used during the timed run, when the way measured them.</summary>
    public IReadOnlyDictionary<string, double> CpuSeconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>What running one way gives back: its wall time, each process's peak RSS, and why it failed, if it did.</summary>
internal sealed record WayOutcome(
    double Seconds, Dictionary<string, long> PeakRss, string? Failure, IReadOnlyDictionary<string, double>? EndpointRates = null)
{
    public IReadOnlyDictionary<string, double>? CpuSeconds { get; init; }
}

public sealed record BenchInput(int SongFiles, int LogFiles, long Events, long Bytes);

public sealed record BenchReportData(BenchInput Input, IReadOnlyList<BenchResult> Results);
