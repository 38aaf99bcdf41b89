namespace Sparkify.Warehouse.Star;

/// <summary>The settings of a star load's transaction and of its checks run on their own.</summary>
internal static class StarSessionSettings
{
    /// <summary>
    /// work_mem: sorts and hashes over a batch's plays stay in memory (the default is 4 MB). random_page_cost: the
    /// warehouse's hot tables are cached or on SSD, and at the default of 4 the planner hashes a whole table (time,
    /// 250k+ rows) to check a small batch's rows instead of probing its index, so a batch's cost grew with the history.
    /// </summary>
    private const string PlannerSettings = "SET LOCAL work_mem = '128MB'; SET LOCAL random_page_cost = 1.1";

    /// <summary>The planner settings, and each statement limited to <paramref name="statementTimeout"/> (null: no limit).</summary>
    public static string For(TimeSpan? statementTimeout) =>
        $"SET LOCAL statement_timeout = {(statementTimeout is { } limit ? (long)limit.TotalMilliseconds : 0)}; {PlannerSettings}";
}
