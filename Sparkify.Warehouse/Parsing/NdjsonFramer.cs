namespace Sparkify.Warehouse.Parsing;

/// <summary>
/// Frames newline-delimited JSON: one record per line, LF or CRLF, the last line with or without a newline,
/// blank lines skipped. A line longer than the limit (to the byte, line end not counted) becomes a framing error and
/// is skipped; no more than the limit and its line end is ever buffered.
/// </summary>
public sealed class NdjsonFramer(Stream stream, int maxRecordBytes) : IRecordFramer
{
    // Room for a record of exactly the limit, its carriage return and its newline.
    private readonly StreamBuffer _buffer = new(stream, maxRecordBytes + 2);
    private long _lineNumber;

    public async ValueTask<RawRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        var searchFrom = 0;
        while (true)
        {
            var data = _buffer.Data;
            var newline = data.Span[searchFrom..].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = searchFrom + newline;
                _lineNumber++;
                var line = TrimCarriageReturn(data[..length]);
                _buffer.Consume(length + 1);
                searchFrom = 0;
                if (line.Length > maxRecordBytes)
                {
                    return Overlong(line, line.Length);
                }
                if (JsonCoercion.IsWhitespace(line.Span))
                {
                    continue;
                }
                return new RawRecord(_lineNumber, line, null);
            }
            searchFrom = data.Length;
            if (await _buffer.FillAsync(cancellationToken))
            {
                continue;
            }
            if (_buffer.EndOfStream)
            {
                if (_buffer.Length == 0)
                {
                    return null;
                }
                _lineNumber++;
                var last = TrimCarriageReturn(_buffer.Data);
                _buffer.Consume(_buffer.Length);
                if (last.Length > maxRecordBytes)
                {
                    return Overlong(last, last.Length);
                }
                if (JsonCoercion.IsWhitespace(last.Span))
                {
                    return null;
                }
                return new RawRecord(_lineNumber, last, null);
            }
            return await SkipOverlongLineAsync(cancellationToken);
        }
    }

    /// <summary>The buffer is full and holds no line end: the line is over the limit; reads on to its end without keeping it.</summary>
    private async ValueTask<RawRecord> SkipOverlongLineAsync(CancellationToken cancellationToken)
    {
        _lineNumber++;
        var prefix = _buffer.Data[..Math.Min(_buffer.Length, LoadErrorText.MaxRawBytes)].ToArray();
        long length = _buffer.Length;
        var last = _buffer.Data.Span[^1];
        _buffer.Clear();
        while (await _buffer.FillAsync(cancellationToken))
        {
            var newline = _buffer.Data.Span.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                length += newline;
                last = newline > 0 ? _buffer.Data.Span[newline - 1] : last;
                _buffer.Consume(newline + 1);
                break;
            }
            length += _buffer.Length;
            last = _buffer.Data.Span[^1];
            _buffer.Clear();
        }
        // The line end (CRLF's carriage return too) is not part of the record.
        return OverlongError(prefix, last == (byte)'\r' ? length - 1 : length);
    }

    private RawRecord Overlong(ReadOnlyMemory<byte> line, long length) =>
        OverlongError(line[..Math.Min(line.Length, LoadErrorText.MaxRawBytes)].ToArray(), length);

    private RawRecord OverlongError(byte[] prefix, long length) => new(_lineNumber, prefix,
        $"line is longer than the {maxRecordBytes:N0}-byte record limit ({length:N0} bytes); skipped");

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;

    public void Dispose() => _buffer.Dispose();
}
