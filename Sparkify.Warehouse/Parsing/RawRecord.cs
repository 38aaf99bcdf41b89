namespace Sparkify.Warehouse.Parsing;

/// <summary>
/// One record's bytes as framed from a file, valid until the next read. When <see cref="FramingError"/> is set
/// the bytes are only a prefix to show in the error row (an over-long line, a broken stream).
/// </summary>
public readonly record struct RawRecord(long LineNumber, ReadOnlyMemory<byte> Bytes, string? FramingError);

/// <summary>Splits a file's byte stream into records.</summary>
public interface IRecordFramer : IDisposable
{
    /// <returns>The next record, or null at the end of the file.</returns>
    ValueTask<RawRecord?> ReadAsync(CancellationToken cancellationToken);
}
