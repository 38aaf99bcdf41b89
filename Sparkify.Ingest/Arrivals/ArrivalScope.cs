using Sparkify.Warehouse.Staging;

namespace Sparkify.Ingest.Arrivals;

/// <summary>
/// Which arrivals are the warehouse's: in the configured bucket, under one of the configured prefixes, and a song or
/// log file by name and folder — the same files the scan lists (<see cref="S3FileScanner"/>).
/// </summary>
public sealed class ArrivalScope(string bucket, IReadOnlyList<string> prefixes)
{
    public bool Contains(ObjectArrival arrival) =>
        arrival.Bucket == bucket
        && prefixes.Any(prefix => arrival.Key.StartsWith(prefix, StringComparison.Ordinal))
        && SourceFile.IsSourceName(arrival.Key)
        && SourceFile.KindOfKey(arrival.Key) is not null;
}
