namespace Sparkify.Cli.Bench;

/// <summary>p50, p95 and max of a set of latencies in seconds (nearest-rank percentiles: a value that was measured).</summary>
public sealed record LatencySummary(int Count, double P50, double P95, double Max)
{
    public static LatencySummary Of(IEnumerable<double> seconds)
    {
        var sorted = seconds.Order().ToArray();
        return sorted.Length == 0
            ? new LatencySummary(0, double.NaN, double.NaN, double.NaN)
            : new LatencySummary(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 95), sorted[^1]);
    }

    /// <summary>The smallest value with at least <paramref name="percent"/> % of the values at or below it.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(sorted));
        }
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// <summary>"p50 4.1 s, p95 9.8 s, max 11.0 s (n=108)", or "none" without values.</summary>
    public override string ToString() =>
        Count == 0 ? "none" : FormattableString.Invariant($"p50 {P50:F1} s, p95 {P95:F1} s, max {Max:F1} s (n={Count})");
}
