namespace Sparkify.Cli.Bench;

/// <summary>One way's measurement. <paramref name="PeakRss"/> maps each process involved to its peak resident bytes.</summary>
public sealed record BenchResult(
    string Way, bool Ran, string? Note, double WallSeconds, IReadOnlyDictionary<string, long> PeakRss,
    IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>Where the time went, in seconds per phase, when the way can tell.</summary>
    public IReadOnlyDictionary<string, double> Phases { get; init; } = new Dictionary<string, double>();
}

public sealed record BenchInput(int SongFiles, int LogFiles, long Events, long Bytes);

public sealed record BenchReportData(BenchInput Input, IReadOnlyList<BenchResult> Results);
