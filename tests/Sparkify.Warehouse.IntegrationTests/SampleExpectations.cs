using System.Text.Json;
using Sparkify.Testing;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>Facts about the real sample, computed here from the JSON itself, independently of the warehouse's SQL.</summary>
internal static class SampleExpectations
{
    public static readonly IReadOnlyDictionary<string, long> Counts = new Dictionary<string, long>
    {
        ["staging_events"] = 8056, ["staging_songs"] = 71, ["songplays"] = 6820, ["users"] = 97,
        ["songs"] = 71, ["artists"] = 69, ["time"] = 6813, ["load_errors"] = 0,
    };

    public static readonly long[] LevelSwitchers = [15, 16, 29, 36, 49, 80, 85, 88];

    /// <summary>For each user: every level they had, and the level of their latest event by ts.</summary>
    public static Dictionary<long, (HashSet<string> Levels, string Latest)> UserLevels()
    {
        var latest = new Dictionary<long, (long Ts, HashSet<string> Levels, string Level)>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SampleData.Folder, "log_data"), "*.json", SearchOption.AllDirectories))
        {
            foreach (var line in File.ReadLines(file))
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var userId = root.GetProperty("userId").GetString();
                if (string.IsNullOrEmpty(userId))
                {
                    continue;
                }
                var user = long.Parse(userId, System.Globalization.CultureInfo.InvariantCulture);
                var ts = root.GetProperty("ts").GetInt64();
                var level = root.GetProperty("level").GetString()!;
                if (!latest.TryGetValue(user, out var seen))
                {
                    seen = (long.MinValue, [], level);
                }
                seen.Levels.Add(level);
                latest[user] = ts > seen.Ts ? (ts, seen.Levels, level) : seen;
            }
        }
        return latest.ToDictionary(p => p.Key, p => (p.Value.Levels, p.Value.Level));
    }
}
