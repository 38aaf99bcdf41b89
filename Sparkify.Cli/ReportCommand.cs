using System.CommandLine;
using Sparkify.Reporting;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Cli;

internal static class ReportCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var from = new Option<DateOnly?>("--from") { Description = "First day (UTC, yyyy-MM-dd) of the plays reported; default: the first." };
        var to = new Option<DateOnly?>("--to") { Description = "Last day (UTC, yyyy-MM-dd) of the plays reported, included; default: the last." };
        var top = new Option<int>("--top") { Description = "Length of the top lists.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with every answer instead of tables." };
        var html = new Option<FileInfo?>("--html") { Description = "Also write the report, with its charts, as one self-contained HTML file." };
        var timings = new Option<bool>("--timings") { Description = "Print how long each query took (stderr)." };
        var command = new Command("report", "What people play, when, on which plan, where and on what device: the answers of the star schema.")
        {
            connection, from, to, top, json, html, timings,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, error) =>
        {
            var period = new ReportPeriod(parseResult.GetValue(from), parseResult.GetValue(to));
            if (period is { From: { } first, To: { } last } && last < first)
            {
                throw new UsageException($"--to ({last:yyyy-MM-dd}) is before --from ({first:yyyy-MM-dd}).");
            }
            var length = parseResult.GetValue(top);
            if (length is < 1 or > 1000)
            {
                throw new UsageException("--top must be 1-1000.");
            }
            await using var dataSource = WarehouseConnection.Open(parseResult, connection);
            var reporter = new WarehouseReporter(dataSource);
            var report = await reporter.BuildAsync(period, length, cancellationToken);

            if (parseResult.GetValue(json))
            {
                await output.WriteLineAsync(ReportJson.Serialize(report));
            }
            else
            {
                await ReportText.WriteAsync(output, report);
            }
            if (parseResult.GetValue(html) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, ReportHtml.Render(report, top: length), cancellationToken);
                await error.WriteLineAsync($"Wrote the report with its charts to {file.FullName}");
            }
            if (parseResult.GetValue(timings))
            {
                foreach (var (query, elapsed) in reporter.LastTimings)
                {
                    await error.WriteLineAsync($"{query,-16} {elapsed.TotalMilliseconds,8:F1} ms");
                }
                await error.WriteLineAsync($"{"total",-16} {reporter.LastTimings.Sum(t => t.Elapsed.TotalMilliseconds),8:F1} ms of database time");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
