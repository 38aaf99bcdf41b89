namespace Sparkify.Warehouse.Quality;

/// <summary>A data-quality rule: a query counting the rows that break it. Zero means it passed.</summary>
public sealed record QualityCheck(string Name, string Description, string FailingRowsSql);

public sealed record QualityCheckResult(string Name, string Description, bool Passed, long FailingRows);
