using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace Sparkify.Testing;

/// <summary>
/// Two JSON documents equal field by field: the same names, the same lists in the same order, the same strings, and
/// numbers equal to a relative 1e-9 (an average computed in SQL and in C# may differ in the last bits). A failure
/// lists every differing path with both values.
/// </summary>
public static class JsonAssert
{
    public static void Equal(JsonNode expected, JsonNode actual, params string[] ignoredPaths)
    {
        var differences = new List<string>();
        Compare(Normalize(expected), Normalize(actual), "$", [.. ignoredPaths], differences);
        if (differences.Count > 0)
        {
            throw new XunitException($"{differences.Count} field(s) differ from the expected JSON:\n" + string.Join("\n", differences.Take(40)));
        }
    }

    /// <summary>Every value backed by parsed JSON, so that an int and a long or double of the same value compare alike.</summary>
    private static JsonNode? Normalize(JsonNode? node) => node is null ? null : JsonNode.Parse(node.ToJsonString());

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, HashSet<string> ignored, List<string> differences)
    {
        if (ignored.Contains(path))
        {
            return;
        }
        switch (expected, actual)
        {
            case (null, null):
                return;
            case (JsonObject e, JsonObject a):
                foreach (var name in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    var child = $"{path}.{name}";
                    if (ignored.Contains(child))
                    {
                        continue;
                    }
                    if (!e.ContainsKey(name) || !a.ContainsKey(name))
                    {
                        differences.Add($"{child}: {(e.ContainsKey(name) ? "missing" : "not expected")}");
                        continue;
                    }
                    Compare(e[name], a[name], child, ignored, differences);
                }
                return;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    differences.Add($"{path}: {e.Count} item(s) expected, {a.Count} found: expected {Shorten(e)}, found {Shorten(a)}");
                    return;
                }
                for (var i = 0; i < e.Count; i++)
                {
                    Compare(e[i], a[i], $"{path}[{i}]", ignored, differences);
                }
                return;
            case (JsonValue e, JsonValue a) when e.GetValueKind() == JsonValueKind.Number && a.GetValueKind() == JsonValueKind.Number:
                var (x, y) = (e.GetValue<double>(), a.GetValue<double>());
                if (Math.Abs(x - y) > 1e-9 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y))))
                {
                    differences.Add($"{path}: expected {x.ToString("R", CultureInfo.InvariantCulture)}, found {y.ToString("R", CultureInfo.InvariantCulture)}");
                }
                return;
            default:
                var (expectedText, actualText) = (expected?.ToJsonString() ?? "null", actual?.ToJsonString() ?? "null");
                if (expectedText != actualText)
                {
                    differences.Add($"{path}: expected {Shorten(expected)}, found {Shorten(actual)}");
                }
                return;
        }
    }

    private static string Shorten(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
