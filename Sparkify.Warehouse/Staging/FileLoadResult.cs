namespace Sparkify.Warehouse.Staging;

public enum FileOutcome
{
    /// <summary>Staged now (possibly with some rejected records).</summary>
    Loaded,

    /// <summary>Already loaded earlier with the same key and ETag: nothing done.</summary>
    AlreadyLoaded,

    /// <summary>Nothing of it staged: too many rejected records, or it could not be read.</summary>
    Failed,

    /// <summary>Older than the version of its key that is loaded (or staged with it): recorded as superseded, not staged.</summary>
    Superseded,
}

public sealed record FileLoadResult(
    string Key, string ETag, long Size, FileKind Kind, FileOutcome Outcome, long RowsLoaded, long RowsRejected, string? FailureReason);
