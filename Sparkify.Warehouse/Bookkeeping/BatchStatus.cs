namespace Sparkify.Warehouse.Bookkeeping;

public static class BatchStatus
{
    public const string Open = "open";
    public const string LoadingStar = "loading_star";
    public const string Completed = "completed";
    public const string CompletedWithFailures = "completed_with_failures";
    public const string Failed = "failed";
}
