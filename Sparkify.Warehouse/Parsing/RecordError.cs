namespace Sparkify.Warehouse.Parsing;

/// <summary>Why one record could not be staged. <paramref name="Column"/> is the JSON field, when one is to blame.</summary>
public readonly record struct RecordError(string? Column, string Reason);
