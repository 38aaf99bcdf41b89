namespace Sparkify.DevTools.DemoData;

/// <summary>What <see cref="DemoDataGenerator.WriteAsync"/> wrote; <see cref="Bytes"/> sums all file sizes.</summary>
public sealed record GeneratorSummary(int SongFiles, int LogFiles, long Events, long NextSongEvents, long Bytes);
