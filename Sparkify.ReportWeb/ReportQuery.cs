using System.Globalization;
using Sparkify.Warehouse.Reports;

namespace Sparkify.ReportWeb;

/// <summary>
/// The page's query parameters (<c>from</c>, <c>to</c>: yyyy-mm-dd; <c>top</c>: 1 to <see cref="MaxTop"/>, the form's
/// maximum), read as text and parsed here, so that a value the page cannot use is refused with a sentence saying which
/// and why — the same 400 in every environment, never a binding exception.
/// </summary>
public sealed record ReportQuery(ReportPeriod Period, int Top)
{
    public const int DefaultTop = 10;

    /// <summary>The period form's maximum (its <c>max</c> attribute); longer lists are the CLI's (<c>--top</c> up to 1000).</summary>
    public const int MaxTop = 100;

    /// <summary>The query, or the sentence that refuses it.</summary>
    public static (ReportQuery? Query, string? Problem) Parse(string? from, string? to, string? top)
    {
        if (!TryParseDate(from, out var first))
        {
            return (null, $"'from' must be a date (yyyy-mm-dd), got '{from}'.");
        }
        if (!TryParseDate(to, out var last))
        {
            return (null, $"'to' must be a date (yyyy-mm-dd), got '{to}'.");
        }
        var length = DefaultTop;
        if (!string.IsNullOrEmpty(top)
            && !(int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out length) && length is >= 1 and <= MaxTop))
        {
            return (null, $"'top' must be a whole number from 1 to {MaxTop}, got '{top}'.");
        }
        if (first is { } begin && last is { } end && end < begin)
        {
            return (null, "'to' is before 'from'.");
        }
        return (new ReportQuery(new ReportPeriod(first, last), length), null);
    }

    private static bool TryParseDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }
        date = parsed;
        return true;
    }
}
