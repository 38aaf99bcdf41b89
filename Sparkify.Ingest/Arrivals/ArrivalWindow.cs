namespace Sparkify.Ingest.Arrivals;

/// <summary>
/// The arrival messages gathered for the next batch: it is due once it holds <c>maxFiles</c> files (or as many
/// messages) or <c>window</c> has passed since its first message. Several events of one key keep the newest version
/// (the greatest <see cref="S3Sequencer"/>), whatever order they came in; duplicates are one file.
/// </summary>
public sealed class ArrivalWindow(int maxFiles, TimeSpan window)
{
    private readonly Dictionary<(string Bucket, string Key), ObjectArrival> _newest = [];
    private readonly List<string> _receiptHandles = [];

    /// <summary>When the first message of this window was received; null while it is empty.</summary>
    public DateTimeOffset? OpenedAt { get; private set; }

    public IReadOnlyCollection<ObjectArrival> Files => _newest.Values;

    /// <summary>Every message gathered, those that named no file of the warehouse included: all are deleted once recorded.</summary>
    public IReadOnlyList<string> ReceiptHandles => _receiptHandles;

    public bool IsFull => _newest.Count >= maxFiles || _receiptHandles.Count >= maxFiles;

    /// <param name="accepted">The message's arrivals that are the warehouse's (possibly none: the message is still deleted with the window).</param>
    public void Add(string receiptHandle, IEnumerable<ObjectArrival> accepted, DateTimeOffset now)
    {
        OpenedAt ??= now;
        _receiptHandles.Add(receiptHandle);
        foreach (var arrival in accepted)
        {
            var key = (arrival.Bucket, arrival.Key);
            if (!_newest.TryGetValue(key, out var held) || S3Sequencer.Compare(arrival.Sequencer, held.Sequencer) > 0)
            {
                _newest[key] = arrival;
            }
        }
    }

    public bool IsDue(DateTimeOffset now) => OpenedAt is { } opened && (IsFull || now - opened >= window);

    /// <summary>How long a receive may wait before the window is due: the whole <paramref name="longest"/> while it is empty.</summary>
    public TimeSpan TimeLeft(DateTimeOffset now, TimeSpan longest) =>
        OpenedAt is { } opened ? TimeSpan.FromTicks(Math.Clamp((opened + window - now).Ticks, 0, longest.Ticks)) : longest;

    public void Clear()
    {
        _newest.Clear();
        _receiptHandles.Clear();
        OpenedAt = null;
    }
}
