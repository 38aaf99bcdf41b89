namespace Sparkify.Cli.Bench;

/// <summary>One way's measurement. <paramref name="PeakRss"/> maps each process involved to its peak resident bytes.</summary>
public sealed record BenchResult(
    string Way, bool Ran, string? Note, double WallSeconds, IReadOnlyDictionary<string, long> PeakRss,
    IReadOnlyDictionary<string, long> Counts);

public sealed record BenchInput(int SongFiles, int LogFiles, long Events, long Bytes);

public sealed record BenchReportData(BenchInput Input, IReadOnlyList<BenchResult> Results);
