using System.Buffers;

namespace Sparkify.Warehouse.Parsing;

/// <summary>
/// A pooled window over a stream: <see cref="Data"/> is what has been read and not yet consumed. Grows up to a
/// cap so one record never needs more memory than the configured maximum — the cap is exact, although the pool may
/// hand out a larger array. Skips a UTF-8 byte order mark.
/// </summary>
internal sealed class StreamBuffer(Stream stream, int capacityLimit) : IDisposable
{
    private const int InitialSize = 64 * 1024;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialSize, capacityLimit));
    private int _capacity = Math.Min(InitialSize, capacityLimit);
    private int _start;
    private int _end;
    private bool _atStart = true;

    public bool EndOfStream { get; private set; }

    public ReadOnlyMemory<byte> Data => _buffer.AsMemory(_start, _end - _start);

    public int Length => _end - _start;

    public void Consume(int count) => _start += count;

    /// <summary>Discards everything buffered (used to skip the rest of an over-long line).</summary>
    public void Clear() => _start = _end = 0;

    /// <returns>False when nothing more can be read: end of stream, or the window is at its cap.</returns>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (EndOfStream)
        {
            return false;
        }
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _capacity)
        {
            if (_capacity >= capacityLimit)
            {
                return false;
            }
            _capacity = (int)Math.Min((long)_capacity * 2, capacityLimit);
            if (_capacity > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(_capacity);
                Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
        }
        var read = await stream.ReadAsync(_buffer.AsMemory(_end, _capacity - _end), cancellationToken);
        if (read == 0)
        {
            EndOfStream = true;
            return false;
        }
        _end += read;
        if (_atStart && _end >= 3)
        {
            _atStart = false;
            if (_buffer.AsSpan(0, 3).SequenceEqual("\uFEFF"u8))
            {
                _start = 3;
            }
        }
        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
