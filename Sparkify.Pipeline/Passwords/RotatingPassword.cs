namespace Sparkify.Pipeline.Passwords;

/// <summary>
/// The password Npgsql asks for whenever it opens a physical connection (not for pooled ones): read from its source
/// again once the last read is older than the maximum age, so that a rotated password reaches every new connection
/// within that time while a burst of new connections costs one read. Connections already open keep working.
/// </summary>
public sealed class RotatingPassword(IPasswordSource source, TimeSpan maxAge, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile Reading? _last;

    /// <summary>How many times the source was read (each read is a GetSecretValue call on AWS).</summary>
    public int Reads { get; private set; }

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } password)
        {
            return password;
        }
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } readMeanwhile)
            {
                return readMeanwhile;
            }
            var read = await source.ReadAsync(cancellationToken);
            Reads++;
            _last = new Reading(read, _time.GetTimestamp());
            return read;
        }
        finally
        {
            _reading.Release();
        }
    }

    private string? Fresh() => _last is { } last && _time.GetElapsedTime(last.ReadAt) < maxAge ? last.Password : null;

    private sealed record Reading(string Password, long ReadAt);
}
