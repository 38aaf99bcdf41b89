using Npgsql;
using Sparkify.Reporting;
using Sparkify.Warehouse.Reports;

namespace Sparkify.ReportWeb;

/// <summary>
/// The report, live from the warehouse: <c>/</c> is the same page <c>sparkify report --html</c> writes (with a period
/// form, <c>?from=yyyy-MM-dd&amp;to=…&amp;top=N</c>, and a reload when a batch completes), <c>/report.json</c> the same
/// answers as JSON, <c>/version</c> when the star schema last changed, which the page compares itself with.
/// </summary>
public static class ReportPages
{
    public static WebApplication MapReportPages(this WebApplication app)
    {
        app.MapGet("/", async (NpgsqlDataSource warehouse, DateOnly? from, DateOnly? to, int? top, CancellationToken cancellationToken) =>
        {
            if (Invalid(from, to, top) is { } problem)
            {
                return Results.BadRequest(problem);
            }
            var version = await StarChangedAtAsync(warehouse, cancellationToken);
            var report = await new WarehouseReporter(warehouse).BuildAsync(new ReportPeriod(from, to), top ?? 10, cancellationToken);
            return Results.Content(ReportHtml.Render(report, live: true, version, top ?? 10), "text/html; charset=utf-8");
        });
        app.MapGet("/report.json", async (NpgsqlDataSource warehouse, DateOnly? from, DateOnly? to, int? top, CancellationToken cancellationToken) =>
        {
            if (Invalid(from, to, top) is { } problem)
            {
                return Results.BadRequest(problem);
            }
            var report = await new WarehouseReporter(warehouse).BuildAsync(new ReportPeriod(from, to), top ?? 10, cancellationToken);
            return Results.Content(ReportJson.Serialize(report), "application/json; charset=utf-8");
        });
        app.MapGet("/version", async (NpgsqlDataSource warehouse, CancellationToken cancellationToken) =>
            Results.Text((await StarChangedAtAsync(warehouse, cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return app;
    }

    private static string? Invalid(DateOnly? from, DateOnly? to, int? top) =>
        from is { } first && to is { } last && last < first ? "'to' is before 'from'."
        : top is < 1 or > 1000 ? "'top' must be 1-1000."
        : null;

    private static Task<long> StarChangedAtAsync(NpgsqlDataSource warehouse, CancellationToken cancellationToken) =>
        new WarehouseReporter(warehouse).StarChangedAtAsync(cancellationToken);
}
