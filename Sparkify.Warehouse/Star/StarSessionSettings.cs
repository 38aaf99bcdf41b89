namespace Sparkify.Warehouse.Star;

/// <summary>The settings of a star load's transaction and of its checks run on their own.</summary>
internal static class StarSessionSettings
{
    /// <summary>
    /// work_mem: sorts and hashes over a batch's plays stay in memory (the default is 4 MB). random_page_cost: the
    /// warehouse's hot tables are cached or on SSD, and at the default of 4 the planner hashes a whole table (time,
    /// 250k+ rows) to check a small batch's rows instead of probing its index, so a batch's cost grew with the history.
    /// </summary>
    /// <remarks>
    /// enable_mergejoin: every join here fits in memory, where a hash join beats sorting both sides; without fresh
    /// statistics on a just-filled table the planner otherwise sorted 250k plays to merge them with their matches.
    /// default_statistics_target: the temp tables of a star load are analysed for their row counts and null shares, not
    /// fine histograms (a tenth of the default sample, a tenth of the time).
    /// </remarks>
    private const string PlannerSettings =
        "SET LOCAL work_mem = '128MB'; SET LOCAL random_page_cost = 1.1; SET LOCAL enable_mergejoin = off; SET LOCAL default_statistics_target = 10";

    /// <summary>The planner settings, and each statement limited to <paramref name="statementTimeout"/> (null: no limit).</summary>
    public static string For(TimeSpan? statementTimeout) =>
        $"SET LOCAL statement_timeout = {(statementTimeout is { } limit ? (long)limit.TotalMilliseconds : 0)}; {PlannerSettings}";
}
