namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>One file of a batch's manifest: what Ingest found and Transform must stage.</summary>
/// <param name="LastModified">The source's modification time: of two versions of a key the newer one is kept loaded.</param>
public sealed record ManifestFile(string Key, string ETag, long Size, DateTimeOffset? LastModified = null);
