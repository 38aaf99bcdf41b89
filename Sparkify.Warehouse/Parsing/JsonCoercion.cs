using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sparkify.Warehouse.Parsing;

/// <summary>
/// Reads one JSON value as the type staging wants, coercing the way the real data needs: numbers where text
/// is expected are taken as their text, numeric strings where numbers are expected are parsed, and
/// <c>""</c> counts as missing for numbers. Anything else is an error naming what was found.
/// </summary>
internal static class JsonCoercion
{
    public static bool TryReadText(ref Utf8JsonReader reader, out string? value, out string? error)
    {
        error = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                if (value!.Contains('\0', StringComparison.Ordinal))
                {
                    value = null;
                    error = "text holds a NUL character (\\u0000), which PostgreSQL text cannot store";
                    return false;
                }
                return true;
            case JsonTokenType.Number:
                value = Encoding.UTF8.GetString(reader.ValueSpan);
                return true;
            case JsonTokenType.True:
                value = "true";
                return true;
            case JsonTokenType.False:
                value = "false";
                return true;
            case JsonTokenType.Null:
                value = null;
                return true;
            default:
                value = null;
                error = $"expected text, found {Describe(reader.TokenType)}";
                reader.Skip();
                return false;
        }
    }

    public static bool TryReadInt64(ref Utf8JsonReader reader, out long? value, out string? error)
    {
        error = null;
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole))
                {
                    value = whole;
                    return true;
                }
                if (reader.TryGetDouble(out var real) && IsWholeInInt64Range(real))
                {
                    value = (long)real;
                    return true;
                }
                error = $"expected a whole number, found {Encoding.UTF8.GetString(reader.ValueSpan)}";
                return false;
            case JsonTokenType.String:
                var text = reader.GetString()!.Trim();
                if (text.Length == 0)
                {
                    return true;
                }
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                {
                    value = parsed;
                    return true;
                }
                // Numeric text is read as the same number would be without quotes: "910.0" and "1.5411e12" are whole.
                if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
                    && decimal.Truncate(exact) == exact && exact is >= long.MinValue and <= long.MaxValue)
                {
                    value = (long)exact;
                    return true;
                }
                error = $"expected a whole number, found the text \"{Shorten(text)}\"";
                return false;
            default:
                error = $"expected a whole number, found {Describe(reader.TokenType)}";
                reader.Skip();
                return false;
        }
    }

    public static bool TryReadInt32(ref Utf8JsonReader reader, out int? value, out string? error)
    {
        if (!TryReadInt64(ref reader, out var wide, out error))
        {
            value = null;
            return false;
        }
        if (wide is < int.MinValue or > int.MaxValue)
        {
            value = null;
            error = $"{wide} is out of range for a 32-bit integer";
            return false;
        }
        value = (int?)wide;
        return true;
    }

    public static bool TryReadDouble(ref Utf8JsonReader reader, out double? value, out string? error)
    {
        error = null;
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number:
                if (reader.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    value = number;
                    return true;
                }
                error = $"number {Encoding.UTF8.GetString(reader.ValueSpan)} is out of range";
                return false;
            case JsonTokenType.String:
                var text = reader.GetString()!.Trim();
                if (text.Length == 0)
                {
                    return true;
                }
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
                {
                    value = parsed;
                    return true;
                }
                error = $"expected a number, found the text \"{Shorten(text)}\"";
                return false;
            default:
                error = $"expected a number, found {Describe(reader.TokenType)}";
                reader.Skip();
                return false;
        }
    }

    private static bool IsWholeInInt64Range(double value) =>
        double.IsFinite(value) && Math.Floor(value) == value && value >= -9.2e18 && value <= 9.2e18;

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "text",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>True when <paramref name="span"/> holds only JSON whitespace.</summary>
    internal static bool IsWhitespace(ReadOnlySpan<byte> span) => span.IndexOfAnyExcept(" \t\r\n"u8) < 0;
}
