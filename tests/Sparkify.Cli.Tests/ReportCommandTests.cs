using System.Text.Json.Nodes;
using Sparkify.Testing;

namespace Sparkify.Cli.Tests;

/// <summary>`sparkify report`: tables for people, JSON for scripts, one self-contained HTML file with a chart per question.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportCommandTests(PostgresFixture postgres)
{
    private async Task<string> SampleWarehouseAsync()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("report");
        Assert.Equal(0, (await Sparkify.RunAsync("load", SampleData.Folder, "--connection", connection)).ExitCode);
        return connection;
    }

    [Fact]
    public async Task The_tables_answer_every_question()
    {
        var report = await Sparkify.RunAsync("report", "--connection", await SampleWarehouseAsync(), "--top", "5");

        Assert.Equal(0, report.ExitCode);
        foreach (var section in new[]
        {
            "Plays and active users per day", "Busiest hours of the day", "Plays by day of the week", "Top songs", "Top artists",
            "Free and paid", "Level switches", "Sessions", "Top locations", "Browsers", "Operating systems", "Catalog coverage",
        })
        {
            Assert.Contains(section, report.Output, StringComparison.Ordinal);
        }
        Assert.Contains("Setanta matins", report.Output, StringComparison.Ordinal);
        Assert.Contains("6,819 plays are not matched", report.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_has_every_answer_of_the_oracle_under_stable_names_and_html_is_one_file_with_a_chart_per_question()
    {
        var html = Path.Combine(Path.GetTempPath(), $"sparkify-report-{Guid.NewGuid():N}.html");
        try
        {
            var report = await Sparkify.RunAsync("report", "--connection", await SampleWarehouseAsync(), "--json", "--html", html, "--from", "2018-11-01", "--to", "2018-11-30");

            Assert.Equal(0, report.ExitCode);
            // Every answer, under the stable names, the oracle's (computed from the JSON files).
            JsonAssert.Equal(ReportOracle.Of(SampleData.Folder).Report(new DateOnly(2018, 11, 1), new DateOnly(2018, 11, 30)),
                JsonNode.Parse(report.Output)!, "$.generated_at");

            // A chart per question, active users per day on a chart of its own: 12.
            var page = await File.ReadAllTextAsync(html);
            Assert.Equal(12, page.Split("data-chart=").Length - 1);
            Assert.Equal(12, page.Split("<svg").Length - 1);
            Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("<script src", page, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(html);
        }
    }

    [Fact]
    public async Task An_empty_warehouse_gets_a_friendly_report_and_a_reversed_period_a_usage_error()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("empty");

        var empty = await Sparkify.RunAsync("report", "--connection", connection);
        Assert.Equal(0, empty.ExitCode);
        Assert.Contains("No plays in this period", empty.Output, StringComparison.Ordinal);

        var reversed = await Sparkify.RunAsync("report", "--connection", connection, "--from", "2018-11-30", "--to", "2018-11-01");
        Assert.Equal(ExitCodes.UsageError, reversed.ExitCode);
        Assert.Contains("--to (2018-11-01) is before --from", reversed.Error, StringComparison.Ordinal);
    }
}
