using System.Globalization;

namespace Sparkify.DevTools.DemoData;

/// <summary>
/// Builds pure-ASCII JSON text byte by byte. Strings are escaped the way the real source files are:
/// non-ASCII as lowercase <c>\u00e9</c> escapes and, for the log files only, <c>/</c> as <c>\/</c>.
/// </summary>
internal sealed class AsciiJsonBuilder(int initialCapacity = 1024)
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    private byte[] _buffer = new byte[Math.Max(initialCapacity, 64)];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public byte[] ToArray() => Written.ToArray();

    /// <summary>The quoted, escaped JSON literal of <paramref name="value"/>, for text written many times.</summary>
    public static byte[] QuotedString(string value, bool escapeSlashes)
    {
        var builder = new AsciiJsonBuilder(value.Length + 16);
        builder.AppendString(value, escapeSlashes);
        return builder.ToArray();
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureRoom(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Append(byte value)
    {
        EnsureRoom(1);
        _buffer[_length++] = value;
    }

    public void AppendInteger(long value)
    {
        EnsureRoom(20);
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>Writes <paramref name="hundredThousandths"/> / 100000 with exactly five decimals, e.g. 218.93179.</summary>
    public void AppendFiveDecimals(long hundredThousandths)
    {
        if (hundredThousandths < 0)
        {
            Append((byte)'-');
            hundredThousandths = -hundredThousandths;
        }
        AppendInteger(hundredThousandths / 100_000);
        Append((byte)'.');
        EnsureRoom(5);
        var fraction = hundredThousandths % 100_000;
        for (var position = 4; position >= 0; position--)
        {
            _buffer[_length + position] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }
        _length += 5;
    }

    public void AppendString(string value, bool escapeSlashes)
    {
        EnsureRoom(value.Length + 2);
        _buffer[_length++] = (byte)'"';
        foreach (var character in value)
        {
            switch (character)
            {
                case '"': Append("\\\""u8); break;
                case '\\': Append("\\\\"u8); break;
                case '/' when escapeSlashes: Append("\\/"u8); break;
                case '\n': Append("\\n"u8); break;
                case '\r': Append("\\r"u8); break;
                case '\t': Append("\\t"u8); break;
                case < ' ' or > '~': AppendUnicodeEscape(character); break;
                default: Append((byte)character); break;
            }
        }
        Append((byte)'"');
    }

    // Characters outside the BMP arrive as two UTF-16 surrogates, so they become two escapes, like Python's json.dumps.
    private void AppendUnicodeEscape(char character)
    {
        EnsureRoom(6);
        var span = _buffer.AsSpan(_length, 6);
        span[0] = (byte)'\\';
        span[1] = (byte)'u';
        span[2] = HexDigits[character >> 12];
        span[3] = HexDigits[(character >> 8) & 0xF];
        span[4] = HexDigits[(character >> 4) & 0xF];
        span[5] = HexDigits[character & 0xF];
        _length += 6;
    }

    private void EnsureRoom(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }
}
