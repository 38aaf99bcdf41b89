namespace Sparkify.Warehouse.Staging;

/// <summary>A row for <c>load_errors</c>.</summary>
public sealed record StagedLoadError(string FileKey, string ETag, long LineNumber, string? Column, string Reason, string RawText);
