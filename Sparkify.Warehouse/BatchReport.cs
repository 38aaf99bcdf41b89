using Sparkify.Warehouse.Quality;
using Sparkify.Warehouse.Staging;
using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse;

public sealed record BatchReport(
    long BatchId, string Status, IReadOnlyList<FileLoadResult> Files, StarLoadResult Star,
    IReadOnlyList<QualityCheckResult> Checks, TimeSpan Elapsed, long RowsRepaired = 0)
{
    public int FilesLoaded => Files.Count(f => f.Outcome == FileOutcome.Loaded);
    public int FilesAlreadyLoaded => Files.Count(f => f.Outcome == FileOutcome.AlreadyLoaded);
    public int FilesFailed => Files.Count(f => f.Outcome == FileOutcome.Failed);
    public int FilesSuperseded => Files.Count(f => f.Outcome == FileOutcome.Superseded);
    public long RowsLoaded => Files.Sum(f => f.RowsLoaded);
    public long RowsRejected => Files.Sum(f => f.RowsRejected);
    public long BytesRead => Files.Where(f => f.Outcome is FileOutcome.Loaded or FileOutcome.Failed).Sum(f => f.Size);
    public bool Succeeded => Status == Bookkeeping.BatchStatus.Completed;
}
