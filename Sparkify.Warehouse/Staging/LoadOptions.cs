namespace Sparkify.Warehouse.Staging;

public sealed record LoadOptions
{
    /// <summary>Like Redshift's MAXERROR: a file with more rejected records than this fails as a whole.</summary>
    public int MaxErrorsPerFile { get; init; } = 10;

    /// <summary>The longest record (log line or song object) accepted; longer ones become error rows.</summary>
    public int MaxRecordBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How many files share one COPY and one transaction.</summary>
    public int MaxFilesPerTransaction { get; init; } = 2000;

    /// <summary>Bytes of input after which a transaction is committed and a new one begun.</summary>
    public long MaxBytesPerTransaction { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long a group's transaction waits for a lock another transaction holds (a loader of another version of one
    /// of its keys) before it gives up with a lock-wait error, which the caller retries a few times and then counts
    /// against the files — never an endless wait, never taken for the database being away.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Groups staged at once, each with its own connection and COPY.</summary>
    public int ParallelGroups { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ParallelGroups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(LockTimeout, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxErrorsPerFile);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFilesPerTransaction, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytesPerTransaction, 1);
    }
}
