namespace Sparkify.Cli.Bench;

/// <summary>
/// A derivation, not a measurement: the freshness of a scan that runs every <c>interval</c>, from the measured time
/// between a scan finding a file and the file's plays being visible. A file waits for the next scan uniformly over
/// the interval; the estimate is that wait added to each measured time, over an even grid of waits.
/// </summary>
public static class ScheduledScanEstimate
{
    public static LatencySummary Derive(IReadOnlyList<double> discoveryToVisibleSeconds, double intervalSeconds, int waitsPerInterval = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(waitsPerInterval);
        if (discoveryToVisibleSeconds.Count == 0)
        {
            return LatencySummary.Of([]);
        }
        var samples = discoveryToVisibleSeconds
            .SelectMany(seconds => Enumerable.Range(0, waitsPerInterval).Select(i => (i + 0.5) / waitsPerInterval * intervalSeconds + seconds))
            .Order()
            .ToArray();
        return new LatencySummary(discoveryToVisibleSeconds.Count, LatencySummary.Percentile(samples, 50), LatencySummary.Percentile(samples, 95),
            intervalSeconds + discoveryToVisibleSeconds.Max());
    }
}
