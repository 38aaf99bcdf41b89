using ScottPlot;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Reporting;

/// <summary>The report's charts, drawn by ScottPlot as SVG: bars for top lists, a line per per-day count, each on its own axis, a heat map of weekday × hour.</summary>
public static class ReportCharts
{
    private const int Width = 720;
    private const int Height = 320;
    private static readonly string[] DayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    /// <summary>One count per day as a line over the days, on an axis of its own (whole-number ticks).</summary>
    public static string PerDay(IReadOnlyList<(DateOnly Day, double Count)> days, string label)
    {
        var plot = new Plot();
        double[] xs = [.. days.Select(d => d.Day.ToDateTime(TimeOnly.MinValue).ToOADate())];
        double[] counts = [.. days.Select(d => d.Count)];
        var line = plot.Add.Scatter(xs, counts);
        line.LineWidth = 2;
        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Left.TickGenerator = CountTicks();
        plot.Axes.Margins(bottom: 0);
        plot.YLabel(label);
        return plot.GetSvgXml(Width, Height);
    }

    /// <summary>Horizontal bars, largest on top, labelled with their names.</summary>
    public static string Bars(IReadOnlyList<(string Label, double Value)> bars, string valueLabel, int width = Width)
    {
        var plot = new Plot();
        var count = bars.Count;
        var values = plot.Add.Bars([.. bars.Select(b => b.Value)]);
        values.Horizontal = true;
        // Bar i at position i; the first (largest) is drawn at the top.
        for (var i = 0; i < count; i++)
        {
            values.Bars[i].Position = count - 1 - i;
        }
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, count).Select(i => (double)(count - 1 - i))], [.. bars.Select(b => Shorten(b.Label))]);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Margins(left: 0);
        plot.Axes.Bottom.TickGenerator = CountTicks();
        plot.XLabel(valueLabel);
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        return plot.GetSvgXml(width, Math.Max(160, 40 + 28 * count));
    }

    /// <summary>Vertical bars over a fixed set of slots (hours, weekdays).</summary>
    public static string Columns(IReadOnlyList<(string Label, double Value)> columns, string valueLabel)
    {
        var plot = new Plot();
        plot.Add.Bars([.. columns.Select(c => c.Value)]);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns.Count).Select(i => (double)i)], [.. columns.Select(c => c.Label)]);
        plot.Axes.Margins(bottom: 0);
        plot.Axes.Left.TickGenerator = CountTicks();
        plot.YLabel(valueLabel);
        return plot.GetSvgXml(Width, Height);
    }

    /// <summary>
    /// Plays by weekday (rows, Monday on top) and hour of day (columns), each cell a rectangle coloured by its plays
    /// (vector cells stay sharp at any size, where a heat map bitmap would be blurred by the browser).
    /// </summary>
    public static string HourByWeekday(IReadOnlyList<HourOfWeekday> cells)
    {
        var plot = new Plot();
        var data = new double[7, 24];
        foreach (var cell in cells)
        {
            data[cell.Weekday, cell.Hour] = cell.Plays;
        }
        // Not drawn (the rectangles are): it carries the colour scale the colour bar shows.
        var scale = plot.Add.Heatmap(data);
        scale.Colormap = new ScottPlot.Colormaps.Viridis();
        scale.IsVisible = false;
        var (low, high) = (data.Cast<double>().Min(), data.Cast<double>().Max());
        for (var weekday = 0; weekday < 7; weekday++)
        {
            for (var hour = 0; hour < 24; hour++)
            {
                var cell = plot.Add.Rectangle(hour, hour + 1, 6 - weekday, 7 - weekday);
                cell.FillStyle.Color = scale.Colormap.GetColor(high > low ? (data[weekday, hour] - low) / (high - low) : 0);
                cell.LineStyle.Width = 0;
            }
        }
        plot.Add.ColorBar(scale).Label = "plays";
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, 7).Select(r => 6.5 - r)], DayNames);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, 9).Select(h => h * 3.0)], [.. Enumerable.Range(0, 9).Select(h => $"{h * 3:00}h")]);
        plot.Axes.SetLimits(0, 24, 0, 7);
        plot.Grid.IsVisible = false;
        plot.XLabel("hour of day (UTC)");
        return plot.GetSvgXml(Width, Height);
    }

    /// <summary>Ticks for counts: whole numbers only (no "0.2 plays").</summary>
    private static ScottPlot.TickGenerators.NumericAutomatic CountTicks() => new() { IntegerTicksOnly = true };

    private static string Shorten(string label) => label.Length > 40 ? label[..39] + "…" : label;
}
