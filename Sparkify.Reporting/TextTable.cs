namespace Sparkify.Reporting;

/// <summary>An aligned text table: numbers right-aligned, text left-aligned, long text cut with an ellipsis.</summary>
internal sealed class TextTable(params string[] headers)
{
    private const int MaxWidth = 48;
    private readonly List<string[]> _rows = [];

    public TextTable Add(params object[] cells)
    {
        _rows.Add([.. cells.Select(Format)]);
        return this;
    }

    public async Task WriteAsync(TextWriter output, string indent = "  ")
    {
        if (_rows.Count == 0)
        {
            await output.WriteLineAsync(indent + "(none)");
            return;
        }
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Max(r => r[i].Length))).ToArray();
        var numeric = headers.Select((_, i) => _rows.All(r => IsNumber(r[i]))).ToArray();
        await output.WriteLineAsync(indent + Line(headers, widths, numeric));
        await output.WriteLineAsync(indent + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            await output.WriteLineAsync(indent + Line(row, widths, numeric));
        }
    }

    private static string Line(string[] cells, int[] widths, bool[] numeric) =>
        string.Join("  ", cells.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();

    private static string Format(object cell)
    {
        var text = cell switch
        {
            long number => number.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            int number => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            double number => number.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture),
            _ => cell.ToString() ?? "",
        };
        return text.Length > MaxWidth ? text[..(MaxWidth - 1)] + "…" : text;
    }

    private static bool IsNumber(string text) => text.Length > 0 && text.All(c => char.IsDigit(c) || c is ',' or '.' or '%' or '-');
}
