namespace Sparkify.Warehouse.Star;

/// <summary>What one star-schema load changed: rows inserted or updated per table, and the staged files it consumed.</summary>
public sealed record StarLoadResult(int FilesConsumed, long Artists, long Songs, long Users, long Songplays, long Time);
