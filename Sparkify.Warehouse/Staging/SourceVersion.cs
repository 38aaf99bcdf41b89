namespace Sparkify.Warehouse.Staging;

/// <summary>
/// What orders two versions of one key, so that the newer content stays loaded whichever is staged first.
/// <list type="number">
/// <item>Both seen by the pipeline: the one whose batch was opened later. Ingest opens a batch right after the listing
/// (or, for a dead-letter replay, the HEAD) that saw its versions as their keys' current content, one scan at a time
/// under the scan lock; so a later batch saw a later write, however close the two uploads were — S3's LastModified has
/// whole seconds, and two uploads within one second would otherwise fall to comparing ETags.</item>
/// <item>Otherwise (local files; versions staged before this rule): the later modification time (a local file's has
/// sub-second precision), then the greater ETag, so that the choice never depends on the order of staging.</item>
/// </list>
/// </summary>
/// <param name="SeenInBatch">The pipeline batch whose scan saw this version as the key's current content; null for local files.</param>
public readonly record struct SourceVersion(long? SeenInBatch, DateTimeOffset? Modified, string ETag)
{
    public bool IsNewerThan(SourceVersion other)
    {
        if (SeenInBatch is { } seen && other.SeenInBatch is { } otherSeen && seen != otherSeen)
        {
            return seen > otherSeen;
        }
        var byTime = (Modified ?? DateTimeOffset.MinValue).CompareTo(other.Modified ?? DateTimeOffset.MinValue);
        return byTime != 0 ? byTime > 0 : string.CompareOrdinal(ETag, other.ETag) > 0;
    }
}
