using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Staging;

/// <summary>How one kind of file is framed, parsed and written to its staging table.</summary>
internal interface IStagingTable
{
    string CopyCommand { get; }

    IRecordFramer CreateFramer(Stream stream, int maxRecordBytes);

    /// <summary>
    /// Parses one record and, when it is valid, writes it as a row of the open COPY. <paramref name="parsedAt"/> is
    /// the <see cref="System.Diagnostics.Stopwatch"/> timestamp between parsing and writing.
    /// </summary>
    bool TryStage(BinaryCopyWriter copy, long fileId, long lineNumber, ReadOnlySpan<byte> json, out RecordError error, out long parsedAt);

    static IStagingTable For(FileKind kind) => kind switch
    {
        FileKind.Song => SongStagingTable.Instance,
        FileKind.Event => EventStagingTable.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
