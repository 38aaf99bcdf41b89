using System.Text.Json;

namespace Sparkify.Warehouse.Parsing;

/// <summary>
/// Frames a stream of top-level JSON values separated by whitespace: one compact object per file (the norm for
/// song files), several objects, or pretty-printed JSON. A syntax error ends the file, since a broken value
/// leaves no reliable place to resume.
/// </summary>
public sealed class JsonValueFramer(Stream stream, int maxRecordBytes) : IRecordFramer
{
    private readonly StreamBuffer _buffer = new(stream, maxRecordBytes);
    private long _lineNumber = 1;
    private bool _finished;

    public async ValueTask<RawRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        while (!_finished)
        {
            SkipWhitespace();
            if (_buffer.Length == 0)
            {
                if (await _buffer.FillAsync(cancellationToken))
                {
                    continue;
                }
                _finished = true;
                return null;
            }

            var outcome = TryFrameValue(out var valueLength, out var syntaxError);
            switch (outcome)
            {
                case FrameOutcome.Complete:
                    var value = _buffer.Data[..valueLength];
                    var record = new RawRecord(_lineNumber, value, null);
                    _lineNumber += value.Span.Count((byte)'\n');
                    _buffer.Consume(valueLength);
                    return record;
                case FrameOutcome.Malformed:
                    _finished = true;
                    return new RawRecord(_lineNumber + syntaxError.Line, Prefix(), "malformed JSON: " + syntaxError.Message +
                        "; the rest of the file cannot be read");
                default:
                    if (await _buffer.FillAsync(cancellationToken))
                    {
                        continue;
                    }
                    _finished = true;
                    return new RawRecord(_lineNumber, Prefix(), _buffer.EndOfStream
                        ? "the file ends inside a JSON value (truncated JSON)"
                        : $"a JSON value is longer than the {maxRecordBytes:N0}-byte record limit; the rest of the file is skipped");
            }
        }
        return null;
    }

    private enum FrameOutcome { Complete, NeedMoreData, Malformed }

    private FrameOutcome TryFrameValue(out int length, out (long Line, string Message) syntaxError)
    {
        length = 0;
        syntaxError = default;
        var reader = new Utf8JsonReader(_buffer.Data.Span, _buffer.EndOfStream, new JsonReaderState(RecordObject.ReaderOptions));
        try
        {
            if (!reader.Read())
            {
                return FrameOutcome.NeedMoreData;
            }
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
            {
                return FrameOutcome.NeedMoreData;
            }
            length = (int)reader.BytesConsumed;
            return FrameOutcome.Complete;
        }
        catch (JsonException exception)
        {
            var message = exception.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            syntaxError = (exception.LineNumber ?? 0, (cut > 0 ? message[..cut] : message).Trim());
            return FrameOutcome.Malformed;
        }
    }

    private void SkipWhitespace()
    {
        var span = _buffer.Data.Span;
        var content = span.IndexOfAnyExcept(" \t\r\n"u8);
        var skipped = content < 0 ? span.Length : content;
        _lineNumber += span[..skipped].Count((byte)'\n');
        _buffer.Consume(skipped);
    }

    private ReadOnlyMemory<byte> Prefix() => _buffer.Data[..Math.Min(_buffer.Length, LoadErrorText.MaxRawBytes)];

    public void Dispose() => _buffer.Dispose();
}
