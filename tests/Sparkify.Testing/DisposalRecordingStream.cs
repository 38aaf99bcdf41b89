namespace Sparkify.Testing;

/// <summary>A source stream that says whether it was disposed, and can fail its reads as a broken connection does.</summary>
public sealed class DisposalRecordingStream(byte[] bytes, bool failReads = false) : MemoryStream(bytes, writable: false)
{
    public bool Disposed { get; private set; }

    public override int Read(Span<byte> buffer) => failReads ? throw new IOException("the connection was reset") : base.Read(buffer);

    public override int Read(byte[] buffer, int offset, int count) =>
        failReads ? throw new IOException("the connection was reset") : base.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        failReads ? ValueTask.FromException<int>(new IOException("the connection was reset")) : base.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        failReads ? Task.FromException<int>(new IOException("the connection was reset")) : base.ReadAsync(buffer, offset, count, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
