using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace Sparkify.Warehouse.Staging;

/// <summary>
/// Rows of a PostgreSQL binary COPY, encoded here and streamed through Npgsql's raw COPY stream. The staging tables'
/// types are few (bigint, integer, double precision, text, timestamptz), and encoding them directly into one buffer
/// costs a fraction of binding every value as a parameter (a quarter of a load's client CPU went there).
/// Format: https://www.postgresql.org/docs/current/sql-copy.html (binary format): a header, per row a 16-bit field
/// count, per field a 32-bit length (-1 for NULL) and the value in network byte order, then a -1 trailer.
/// </summary>
internal sealed class BinaryCopyWriter : IAsyncDisposable
{
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private const int FlushAt = 60 * 1024;
    private const long PostgresEpochTicks = 630_822_816_000_000_000; // 2000-01-01T00:00:00Z

    private readonly NpgsqlRawCopyStream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _length;
    private bool _finished;

    private BinaryCopyWriter(NpgsqlRawCopyStream stream)
    {
        _stream = stream;
        Append(Header);
    }

    public static async Task<BinaryCopyWriter> BeginAsync(NpgsqlConnection connection, string copyCommand, CancellationToken cancellationToken) =>
        new(await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken));

    public void StartRow(short fields)
    {
        FlushIfFull();
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), fields);
        _length += 2;
    }

    public void WriteNull() => WriteLength(-1);

    public void Write(long value)
    {
        WriteLength(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Write(int value)
    {
        WriteLength(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void Write(double value)
    {
        WriteLength(8);
        BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>A timestamptz: microseconds since 2000-01-01 UTC.</summary>
    public void WriteTimestamp(DateTime utc)
    {
        WriteLength(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), (utc.Ticks - PostgresEpochTicks) / 10);
        _length += 8;
    }

    public void Write(string value)
    {
        // The worst case is cheap to reserve for short text; a long value is measured first.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(4 + (maxBytes <= 64 * 1024 ? maxBytes : Encoding.UTF8.GetByteCount(value)));
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), written);
        _length += 4 + written;
    }

    // The nullable overloads stay written out: a shared helper taking the writer as a delegate would allocate one per
    // value on the hottest path of a load.
    public void Write(int? value)
    {
        if (value is { } present)
        {
            Write(present);
        }
        else
        {
            WriteNull();
        }
    }

    public void Write(long? value)
    {
        if (value is { } present)
        {
            Write(present);
        }
        else
        {
            WriteNull();
        }
    }

    public void Write(double? value)
    {
        if (value is { } present)
        {
            Write(present);
        }
        else
        {
            WriteNull();
        }
    }

    public void WriteText(string? value)
    {
        if (value is null)
        {
            WriteNull();
        }
        else
        {
            Write(value);
        }
    }

    /// <summary>A jsonb value from its UTF-8 JSON text (binary format: version 1, then the text).</summary>
    public void WriteJsonb(ReadOnlySpan<byte> utf8Json)
    {
        Ensure(5 + utf8Json.Length);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), 1 + utf8Json.Length);
        _buffer[_length + 4] = 1;
        utf8Json.CopyTo(_buffer.AsSpan(_length + 5));
        _length += 5 + utf8Json.Length;
    }

    /// <summary>Ends the COPY: the trailer, the rest of the buffer, and the server's acknowledgement.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), -1);
        _length += 2;
        await _stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        _length = 0;
        _finished = true;
        await _stream.DisposeAsync();
    }

    /// <summary>Without <see cref="CompleteAsync"/>, disposing cancels the COPY: nothing of it is stored.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _finished = true;
            try
            {
                await _stream.CancelAsync();
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
            {
                // The connection is broken or the COPY already failed; its transaction rolls back either way.
            }
            await _stream.DisposeAsync();
        }
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void WriteLength(int length)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), length);
        _length += 4;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Sends the buffer once it is nearly full, between rows, so one write carries many rows.</summary>
    private void FlushIfFull()
    {
        if (_length >= FlushAt)
        {
            _stream.Write(_buffer, 0, _length);
            _length = 0;
        }
    }

    /// <summary>Room for <paramref name="bytes"/> more; a value larger than the buffer grows it (a long record).</summary>
    private void Ensure(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
