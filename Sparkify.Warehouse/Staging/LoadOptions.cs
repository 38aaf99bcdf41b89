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

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxErrorsPerFile);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFilesPerTransaction, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytesPerTransaction, 1);
    }
}
