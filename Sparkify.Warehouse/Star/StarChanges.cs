using System.Globalization;
using System.Text.Json;

namespace Sparkify.Warehouse.Star;

/// <summary>
/// A star load's row changes per table, as one line for people (the CLI summary, the worker's log, the AppHost's
/// batch line) and as the JSON kept on the batch (<c>batches.star_changes</c>) that the batch line reads back.
/// </summary>
public static class StarChanges
{
    public static string Describe(StarLoadResult star) =>
        Describe(star.Tables.Select(t => (t.Table, t.Changes)));

    public static string Describe(IEnumerable<(string Table, TableChanges Changes)> tables)
    {
        var parts = tables.Where(t => t.Changes.Total > 0).Select(t => $"{t.Table} {Parts(t.Changes)}").ToList();
        return parts.Count == 0 ? "no star rows changed" : string.Join("; ", parts);
    }

    public static string ToJson(StarLoadResult star) =>
        JsonSerializer.Serialize(star.Tables.ToDictionary(t => t.Table, t => new[] { t.Changes.Inserted, t.Changes.Updated, t.Changes.Deleted }));

    /// <summary>The tables of <see cref="ToJson"/>, in its order; empty for null or unreadable text.</summary>
    public static IReadOnlyList<(string Table, TableChanges Changes)> FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }
        try
        {
            // jsonb keeps its own key order: the tables come back in the star schema's.
            return [.. (JsonSerializer.Deserialize<Dictionary<string, long[]>>(json) ?? [])
                .Where(t => t.Value.Length == 3)
                .OrderBy(t => WarehouseStats.StarTables.ToList().IndexOf(t.Key) is var i and >= 0 ? i : int.MaxValue)
                .ThenBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => (t.Key, new TableChanges(t.Value[0], t.Value[1], t.Value[2])))];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string Parts(TableChanges changes)
    {
        var parts = new List<string>(3);
        Add(changes.Inserted, "inserted");
        Add(changes.Updated, "updated");
        Add(changes.Deleted, "deleted");
        return string.Join(", ", parts);

        void Add(long count, string what)
        {
            if (count > 0)
            {
                parts.Add($"{count.ToString("N0", CultureInfo.InvariantCulture)} {what}");
            }
        }
    }
}
