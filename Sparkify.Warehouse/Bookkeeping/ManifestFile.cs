namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>One file of a batch's manifest: what Ingest found and Transform must stage.</summary>
public sealed record ManifestFile(string Key, string ETag, long Size);
