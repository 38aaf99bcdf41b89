namespace Sparkify.Pipeline;

/// <summary>How long a worker waits after failures in a row (an unreachable database, S3 or SQS): 2, 4, 8, 16, then 30 s.</summary>
public static class RetryBackoff
{
    public static TimeSpan After(int failuresInARow) => TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Clamp(failuresInARow, 1, 5))));
}
