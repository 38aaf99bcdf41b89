using Npgsql;
using Sparkify.Reporting;
using Sparkify.Warehouse.Reports;

namespace Sparkify.ReportWeb;

/// <summary>
/// The report, live from the warehouse: <c>/</c> is the same page <c>sparkify report --html</c> writes (with a period
/// form, <c>?from=yyyy-MM-dd&amp;to=…&amp;top=N</c> read by <see cref="ReportQuery"/>, and a reload when a batch completes), <c>/report.json</c> the same
/// answers as JSON, <c>/version</c> when the star schema last changed, which the page compares itself with.
/// </summary>
public static class ReportPages
{
    public static WebApplication MapReportPages(this WebApplication app)
    {
        app.MapGet("/", async (NpgsqlDataSource warehouse, string? from, string? to, string? top, CancellationToken cancellationToken) =>
        {
            var (query, problem) = ReportQuery.Parse(from, to, top);
            if (query is null)
            {
                return Refuse(problem);
            }
            var version = await StarChangedAtAsync(warehouse, cancellationToken);
            var report = await new WarehouseReporter(warehouse).BuildAsync(query.Period, query.Top, cancellationToken);
            return Results.Content(ReportHtml.Render(report, live: true, version, query.Top), "text/html; charset=utf-8");
        });
        app.MapGet("/report.json", async (NpgsqlDataSource warehouse, string? from, string? to, string? top, CancellationToken cancellationToken) =>
        {
            var (query, problem) = ReportQuery.Parse(from, to, top);
            if (query is null)
            {
                return Refuse(problem);
            }
            var report = await new WarehouseReporter(warehouse).BuildAsync(query.Period, query.Top, cancellationToken);
            return Results.Content(ReportJson.Serialize(report), "application/json; charset=utf-8");
        });
        app.MapGet("/version", async (NpgsqlDataSource warehouse, CancellationToken cancellationToken) =>
            Results.Text((await StarChangedAtAsync(warehouse, cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return app;
    }

    /// <summary>The one answer to a query the page cannot use: 400, one sentence of plain text.</summary>
    private static IResult Refuse(string? problem) =>
        Results.Text("Bad request: " + problem, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static Task<long> StarChangedAtAsync(NpgsqlDataSource warehouse, CancellationToken cancellationToken) =>
        new WarehouseReporter(warehouse).StarChangedAtAsync(cancellationToken);
}
