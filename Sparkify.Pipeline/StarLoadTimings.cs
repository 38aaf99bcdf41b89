namespace Sparkify.Pipeline;

/// <summary>
/// How long a star load may take, and when another instance may take its claim over. They must nest: a statement
/// never outlives the whole load, and the whole load (cancelled at its deadline, its claim released) ends before
/// another instance would presume its holder dead. (A live load also holds its batch's row for its whole transaction,
/// which a take-over skips; the nesting keeps the ages honest.) Checked by the Transform at start and by the CDK app at
/// synth.
/// </summary>
public static class StarLoadTimings
{
    /// <returns>What is wrong with the three settings, one sentence each; empty when they fit.</returns>
    public static IReadOnlyList<string> Problems(int statementTimeoutSeconds, int deadlineSeconds, int takeoverSeconds)
    {
        var problems = new List<string>();
        if (statementTimeoutSeconds > deadlineSeconds)
        {
            problems.Add($"StarLoadTimeoutSeconds ({statementTimeoutSeconds}) must not exceed StarLoadDeadlineSeconds ({deadlineSeconds}): " +
                         "one statement cannot outlive the whole star load.");
        }
        if (deadlineSeconds >= takeoverSeconds)
        {
            problems.Add($"StarLoadDeadlineSeconds ({deadlineSeconds}) must be below StarLoadTakeoverSeconds ({takeoverSeconds}): " +
                         "another instance would take over a star load that may still be running.");
        }
        return problems;
    }
}
