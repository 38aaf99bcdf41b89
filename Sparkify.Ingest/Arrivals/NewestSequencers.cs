namespace Sparkify.Ingest.Arrivals;

/// <summary>
/// The greatest sequencer recorded per key by this consumer, so that an event delivered late for a version older than
/// one already recorded is not recorded after it (a later batch would make the older version the newer one). Bounded:
/// past <c>capacity</c> keys it starts again empty; what it then forgets is at worst a stale version queued, whose
/// <c>If-Match</c> GET fails while the newer version stays loaded.
/// </summary>
public sealed class NewestSequencers(int capacity = 100_000)
{
    private readonly Dictionary<(string Bucket, string Key), string> _greatest = [];

    /// <summary>True when a newer version of the arrival's key has already been recorded.</summary>
    public bool IsSuperseded(ObjectArrival arrival) =>
        _greatest.TryGetValue((arrival.Bucket, arrival.Key), out var greatest) && S3Sequencer.Compare(arrival.Sequencer, greatest) < 0;

    public void Remember(IEnumerable<ObjectArrival> recorded)
    {
        foreach (var arrival in recorded)
        {
            if (_greatest.Count >= capacity)
            {
                _greatest.Clear();
            }
            var key = (arrival.Bucket, arrival.Key);
            if (!_greatest.TryGetValue(key, out var greatest) || S3Sequencer.Compare(arrival.Sequencer, greatest) > 0)
            {
                _greatest[key] = arrival.Sequencer;
            }
        }
    }
}
