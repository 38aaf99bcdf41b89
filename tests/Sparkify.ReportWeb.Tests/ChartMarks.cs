using System.Text.Json;
using Xunit.Sdk;

namespace Sparkify.ReportWeb.Tests;

/// <summary>
/// What a chart of the page shows, as the browser laid it out (screen coordinates): its data area, its filled
/// rectangles (bars, heat-map cells), its series of points and its labels. The assertions read the chart as a person
/// would — which bar is labelled what, how long it is next to the others, which colour a cell has — and compare that
/// with the values it should show.
/// </summary>
internal sealed record ChartMarks(string Chart, ChartMarks.Box Area, IReadOnlyList<ChartMarks.Box> Rects, IReadOnlyList<IReadOnlyList<ChartMarks.Box>> Series,
    IReadOnlyList<ChartMarks.Box> Texts)
{
    /// <summary>Run on the chart's svg element: the marks' bounding boxes on screen, as JSON.</summary>
    public const string Script =
        """
        svg => {
          const s = svg.getBoundingClientRect();
          const scale = s.width / svg.width.baseVal.value;
          const clip = svg.querySelector('clipPath > rect');
          const box = (e, extra) => { const b = e.getBoundingClientRect(); return { x: b.left, y: b.top, w: b.width, h: b.height, ...extra }; };
          const groups = [...svg.querySelectorAll('g[clip-path]')];
          return JSON.stringify({
            area: { x: s.left + clip.x.baseVal.value * scale, y: s.top + clip.y.baseVal.value * scale,
                    w: clip.width.baseVal.value * scale, h: clip.height.baseVal.value * scale },
            rects: groups.flatMap(g => [...g.querySelectorAll(':scope > rect')])
              .filter(r => (r.getAttribute('fill') ?? 'none') !== 'none').map(r => box(r, { fill: r.getAttribute('fill') })),
            series: groups.map(g => [...g.querySelectorAll(':scope > ellipse')].map(e => box(e))).filter(points => points.length > 0),
            texts: [...svg.querySelectorAll('text')].map(t => box(t, { text: t.textContent.trim() })),
          });
        }
        """;

    internal sealed record Box(double X, double Y, double W, double H, string? Fill = null, string? Text = null)
    {
        public double CenterX => X + W / 2;
        public double CenterY => Y + H / 2;
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private sealed record Raw(Box Area, List<Box> Rects, List<List<Box>> Series, List<Box> Texts);

    public static ChartMarks Parse(string chart, string json)
    {
        var raw = JsonSerializer.Deserialize<Raw>(json, Json)!;
        return new ChartMarks(chart, raw.Area, raw.Rects, [.. raw.Series.Select(s => (IReadOnlyList<Box>)s)], raw.Texts);
    }

    /// <summary>Vertical bars over fixed slots: each slot's label under the area, its bar's height proportional to its value (no bar for 0).</summary>
    public void AssertColumns(IEnumerable<(string Label, double Value)> columns)
    {
        var expected = columns.ToList();
        var labels = Texts.Where(t => t.Y >= Area.Y + Area.H - 1).ToList();
        var scale = Scale(expected.Select(c => c.Value), Rects.Select(r => r.H));
        var slot = Area.W / expected.Count;
        Check(Rects.Count == expected.Count(c => c.Value > 0), $"{Rects.Count} bar(s) drawn, {expected.Count(c => c.Value > 0)} expected");
        foreach (var (label, value) in expected)
        {
            var text = labels.SingleOrDefault(t => t.Text == label);
            Check(text is not null, $"no label '{label}' under the chart");
            var bars = Rects.Where(r => Math.Abs(r.CenterX - text!.CenterX) < slot / 2).ToList();
            var height = bars.Sum(b => b.H);
            Check(Math.Abs(height - value * scale) <= Tolerance(Area.H), $"'{label}' is drawn {height:F1} px high for {value}, expected {value * scale:F1} px");
        }
    }

    /// <summary>Horizontal bars, first on top: each bar's label on its left, its length proportional to its value.</summary>
    public void AssertBars(IEnumerable<(string Label, double Value)> bars)
    {
        var expected = bars.ToList();
        var drawn = Rects.OrderBy(r => r.Y).ToList();
        Check(drawn.Count == expected.Count, $"{drawn.Count} bar(s) drawn, {expected.Count} expected");
        var labels = Texts.Where(t => t.X + t.W <= Area.X + 1).ToList();
        var scale = Scale(expected.Select(b => b.Value), drawn.Select(r => r.W));
        for (var i = 0; i < expected.Count; i++)
        {
            var (label, value) = expected[i];
            var shown = labels.OrderBy(t => Math.Abs(t.CenterY - drawn[i].CenterY)).FirstOrDefault()?.Text;
            Check(shown == Shorten(label), $"bar {i + 1} is labelled '{shown}', expected '{Shorten(label)}'");
            Check(Math.Abs(drawn[i].W - value * scale) <= Tolerance(Area.W), $"'{label}' is drawn {drawn[i].W:F1} px long for {value}, expected {value * scale:F1} px");
        }
    }

    /// <summary>Series of points over x (days): every point where its value puts it, all series on one y scale.</summary>
    public void AssertLines(double[] xs, params double[][] series)
    {
        Check(Series.Count >= series.Length, $"{Series.Count} series drawn, {series.Length} expected");
        var points = series.SelectMany((values, s) => values.Select((v, i) => (X: xs[i], V: v, Drawn: Series[s].ElementAtOrDefault(i)))).ToList();
        Check(series.Select((values, s) => Series[s].Count == values.Length).All(same => same),
            $"the series have {string.Join(", ", Series.Take(series.Length).Select(s => s.Count))} point(s), expected {string.Join(", ", series.Select(s => s.Length))}");
        var (xFrom, xTo) = (points.MinBy(p => p.X), points.MaxBy(p => p.X));
        var (vFrom, vTo) = (points.MinBy(p => p.V), points.MaxBy(p => p.V));
        foreach (var point in points)
        {
            var x = xFrom.Drawn!.CenterX + (point.X - xFrom.X) / (xTo.X - xFrom.X) * (xTo.Drawn!.CenterX - xFrom.Drawn.CenterX);
            var y = vFrom.Drawn!.CenterY + (point.V - vFrom.V) / (vTo.V - vFrom.V) * (vTo.Drawn!.CenterY - vFrom.Drawn.CenterY);
            Check(Math.Abs(point.Drawn!.CenterX - x) <= Tolerance(Area.W) && Math.Abs(point.Drawn.CenterY - y) <= Tolerance(Area.H),
                $"the point of {point.V} at {point.X} is drawn at ({point.Drawn.CenterX:F1}, {point.Drawn.CenterY:F1}), expected ({x:F1}, {y:F1})");
        }
        Check(vTo.Drawn!.CenterY < vFrom.Drawn!.CenterY, "larger values are not drawn higher");
    }

    /// <summary>
    /// Weekday rows (Monday on top) × hour columns, each cell coloured on the Viridis scale from the fewest plays of any
    /// cell (dark) to the most (yellow).
    /// </summary>
    public void AssertHeatMap(IReadOnlyDictionary<(int Weekday, int Hour), double> plays)
    {
        Check(Rects.Count == 7 * 24, $"{Rects.Count} cell(s) drawn, 168 expected");
        var rows = Rects.GroupBy(r => Math.Round(r.CenterY)).OrderBy(g => g.Key).Select(g => g.OrderBy(r => r.X).ToList()).ToList();
        Check(rows.Count == 7 && rows.All(r => r.Count == 24), "the cells are not 7 rows of 24");
        var values = Enumerable.Range(0, 7).SelectMany(d => Enumerable.Range(0, 24).Select(h => plays.GetValueOrDefault((d, h)))).ToList();
        var (low, high) = (values.Min(), values.Max());
        var viridis = new ScottPlot.Colormaps.Viridis();
        for (var day = 0; day < 7; day++)
        {
            for (var hour = 0; hour < 24; hour++)
            {
                var value = plays.GetValueOrDefault((day, hour));
                var colour = viridis.GetColor((value - low) / (high - low)).ToStringRGB();
                Check(string.Equals(rows[day][hour].Fill, colour, StringComparison.OrdinalIgnoreCase),
                    $"the cell of weekday {day}, hour {hour} ({value} plays) is {rows[day][hour].Fill}, expected {colour}");
            }
        }
    }

    /// <summary>Screen pixels per unit of value, from the longest mark (the longest value's).</summary>
    private double Scale(IEnumerable<double> values, IEnumerable<double> lengths)
    {
        var (value, length) = (values.DefaultIfEmpty(0).Max(), lengths.DefaultIfEmpty(0).Max());
        Check(value > 0 && length > 0, "nothing drawn");
        return length / value;
    }

    /// <summary>Half a pixel, or a thousandth of the axis (ScottPlot writes coordinates to about six digits).</summary>
    private static double Tolerance(double axis) => Math.Max(0.5, axis / 1000);

    /// <summary>The label as shown: shortened to 40 characters, without control characters (the sample's mojibake has C1 controls, not drawn).</summary>
    private static string Shorten(string label) =>
        new((label.Length > 40 ? label[..39] + "…" : label).Where(c => !char.IsControl(c)).ToArray());

    private void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new XunitException($"chart {Chart}: {message}");
        }
    }
}
