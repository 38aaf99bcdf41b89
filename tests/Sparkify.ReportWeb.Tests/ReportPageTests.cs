using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.Testing;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Schema;
using Sparkify.Warehouse.Staging;
using Sparkify.DevTools;

namespace Sparkify.ReportWeb.Tests;

/// <summary>
/// The report page in a real browser (Playwright driving the system Chromium), served by the report service over a
/// warehouse holding the real sample, against <see cref="ReportOracle"/> (the answers computed from the JSON files):
/// every number and table row shown, and every chart's marks — bar lengths, points, heat-map colours — drawn from the
/// oracle's values. A screenshot is kept in artifacts/screenshots.
/// </summary>
public sealed class ReportPageTests(ReportPageTests.ReportService service) : IClassFixture<ReportPageTests.ReportService>
{
    private static readonly ReportOracle Oracle = ReportOracle.Of(SampleData.Folder);

    /// <summary>One report service over the loaded sample, and one browser, for the tests of this class (they only read).</summary>
    public sealed class ReportService : IAsyncLifetime
    {
        private PostgresServer _postgres = null!;
        private ReportServiceProcess _service = null!;
        private IPlaywright _playwright = null!;

        public IBrowser Browser { get; private set; } = null!;
        public HttpClient Http { get; } = new();
        public string Url { get; private set; } = "";

        public async Task InitializeAsync()
        {
            _postgres = await PostgresServer.StartAsync();
            var connection = await _postgres.CreateDatabaseAsync("report");
            await using (var dataSource = NpgsqlDataSource.Create(connection))
            {
                await new SchemaMigrator(dataSource).MigrateAsync();
                await new WarehouseLoader(dataSource, new LoadOptions()).LoadAsync("sample", await LocalSourceFiles.FindAsync(SampleData.Folder));
            }
            _service = ReportServiceProcess.Start(connection);
            Url = _service.Url;
            await _service.WaitUntilServingAsync(Http);

            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
        }

        public async Task DisposeAsync()
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
            await _service.DisposeAsync();
            Http.Dispose();
            await _postgres.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_number_and_table_row_shown_is_the_oracle_s_answer()
    {
        var page = await OpenAsync(service.Url);
        var expected = Oracle.Report();

        Assert.Equal(N(expected["totals"]!["plays"]), await Answer(page, "plays"));
        Assert.Equal(N(expected["totals"]!["active_users"]), await Answer(page, "active_users"));
        Assert.Equal(N(expected["totals"]!["sessions"]), await Answer(page, "sessions"));
        Assert.Equal($"{expected["busiest_hour"]!["hour"]!.GetValue<int>():00}:00", await Answer(page, "busiest_hour"));
        Assert.Equal(Percent(expected["paid_play_share"]), await Answer(page, "paid_play_share"));
        var catalog = expected["catalog"]!;
        Assert.Equal(Percent(catalog["matched_share"]), await Answer(page, "matched_share"));
        Assert.Equal(N(catalog["matched_plays"]), await Answer(page, "matched_plays"));
        Assert.Equal(N(catalog["unmatched_plays"]), await Answer(page, "unmatched_plays"));
        var switches = Items(expected, "level_switches");
        Assert.Equal(switches.Count(s => s["is_upgrade"]!.GetValue<bool>()).ToString(CultureInfo.InvariantCulture), await Answer(page, "upgrades"));
        Assert.Equal(switches.Count(s => !s["is_upgrade"]!.GetValue<bool>()).ToString(CultureInfo.InvariantCulture), await Answer(page, "downgrades"));

        await AssertTableAsync(page, "plays_per_day", 0, Items(expected, "plays_per_day").Select(d => Row(S(d["day"]), N(d["plays"]), N(d["active_users"]))));
        await AssertTableAsync(page, "hour_by_weekday", 0, Items(expected, "weekdays").Select(d => Row(S(d["name"]), N(d["plays"]))));
        await AssertTableAsync(page, "hours", 0, Items(expected, "hours").Where(h => h["plays"]!.GetValue<long>() > 0)
            .OrderByDescending(h => h["plays"]!.GetValue<long>()).ThenBy(h => h["hour"]!.GetValue<int>()).Take(5)
            .Select(h => Row($"{h["hour"]!.GetValue<int>():00}:00", N(h["plays"]))));
        await AssertTableAsync(page, "top_songs", 0, Items(expected, "top_songs").Select(s => Row(S(s["title"]), S(s["artist"]), N(s["plays"]))));
        await AssertTableAsync(page, "top_artists", 0, Items(expected, "top_artists").Select(a => Row(S(a["name"]), N(a["plays"]))));
        await AssertTableAsync(page, "levels", 0, Items(expected, "levels")
            .Select(l => Row(S(l["level"]), N(l["plays"]), Percent(l["play_share"]), N(l["active_users"]), Percent(l["user_share"]))));
        await AssertTableAsync(page, "levels", 1, switches.Select(s => Row(N(s["user_id"]), $"{S(s["first_name"])} {S(s["last_name"])}".Trim(),
            S(s["from"]), S(s["to"]), DateTimeOffset.Parse(S(s["at"]), CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))));
        var sessions = expected["sessions"]!;
        await AssertTableAsync(page, "sessions", 0, [Row(N(sessions["count"]), D(sessions["plays_median"]), D(sessions["plays_p90"]),
            D(sessions["length_minutes_median"]), D(sessions["length_minutes_p90"]))]);
        await AssertTableAsync(page, "top_locations", 0, Items(expected, "top_locations").Select(l => Row(S(l["location"]), N(l["plays"]), N(l["active_users"]))));
        await AssertTableAsync(page, "browsers", 0, Items(expected, "browsers").Select(b => Row(S(b["name"]), N(b["plays"]), Percent(b["share"]))));
        await AssertTableAsync(page, "operating_systems", 0, Items(expected, "operating_systems").Select(b => Row(S(b["name"]), N(b["plays"]), Percent(b["share"]))));
        await AssertTableAsync(page, "catalog", 0, Items(catalog, "top_unmatched").Select(u => Row(S(u["song"]), S(u["artist"]), N(u["plays"]))));

        // The same service's JSON, for scripts: every field the oracle's.
        JsonAssert.Equal(expected, JsonNode.Parse(await service.Http.GetStringAsync(service.Url + "report.json"))!, "$.generated_at");

        var screenshot = Path.Combine(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "artifacts", "screenshots", "report-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }

    [Fact]
    public async Task Every_chart_is_drawn_from_the_oracle_s_values()
    {
        var page = await OpenAsync(service.Url);
        var expected = Oracle.Report();
        var catalog = expected["catalog"]!;

        var days = Items(expected, "plays_per_day");
        double[] dayNumbers = [.. days.Select(d => (double)DateOnly.Parse(S(d["day"]), CultureInfo.InvariantCulture).DayNumber)];
        (await ChartAsync(page, "plays_per_day")).AssertLines(dayNumbers, [.. days.Select(d => V(d["plays"]))]);
        (await ChartAsync(page, "active_users_per_day")).AssertLines(dayNumbers, [.. days.Select(d => V(d["active_users"]))]);
        (await ChartAsync(page, "hour_by_weekday")).AssertHeatMap(Items(expected, "hour_by_weekday")
            .ToDictionary(c => (c["weekday"]!.GetValue<int>(), c["hour"]!.GetValue<int>()), c => V(c["plays"])));
        (await ChartAsync(page, "hours")).AssertColumns(Items(expected, "hours").Select(h => ($"{h["hour"]!.GetValue<int>():00}", V(h["plays"]))));
        (await ChartAsync(page, "sessions")).AssertColumns(Items(expected, "session_sizes").Select(s => (S(s["plays"]), V(s["sessions"]))));
        (await ChartAsync(page, "top_songs")).AssertBars(Items(expected, "top_songs").Select(s => ($"{S(s["title"])} — {S(s["artist"])}", V(s["plays"]))));
        (await ChartAsync(page, "top_artists")).AssertBars(Items(expected, "top_artists").Select(a => (S(a["name"]), V(a["plays"]))));
        (await ChartAsync(page, "levels")).AssertBars(Items(expected, "levels").Select(l => (S(l["level"]), V(l["plays"]))));
        (await ChartAsync(page, "top_locations")).AssertBars(Items(expected, "top_locations").Select(l => (S(l["location"]), V(l["plays"]))));
        (await ChartAsync(page, "browsers")).AssertBars(Items(expected, "browsers").Select(b => (S(b["name"]), V(b["plays"]))));
        (await ChartAsync(page, "operating_systems")).AssertBars(Items(expected, "operating_systems").Select(b => (S(b["name"]), V(b["plays"]))));
        (await ChartAsync(page, "catalog")).AssertBars(Items(catalog, "top_unmatched").Select(u => ($"{S(u["song"])} — {S(u["artist"])}", V(u["plays"]))));
    }

    /// <summary>At 1,400 px (and at the 1,200 px of the other tests) every column of the name tables shows whole, without a sideways scroll.</summary>
    [Theory]
    [InlineData(1400)]
    [InlineData(1200)]
    public async Task Name_tables_show_every_column_without_scrolling(int width)
    {
        var page = await service.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        await page.GotoAsync(service.Url);

        foreach (var section in new[] { "catalog", "top_songs" })
        {
            var fit = await page.Locator($"#{section} .tables").EvaluateAsync<double[]>("""
                t => {
                  const cells = [...t.querySelectorAll('table td.n')];
                  const right = t.getBoundingClientRect().right;
                  return [t.scrollWidth - t.clientWidth, Math.max(0, ...cells.map(c => c.getBoundingClientRect().right - right)), cells.length];
                }
                """);
            Assert.True(fit[2] > 0, $"{section}: no number cells");
            Assert.True(fit[0] <= 0, $"{section} at {width} px: scrolls sideways by {fit[0]} px");
            Assert.True(fit[1] <= 0, $"{section} at {width} px: a number column ends {fit[1]} px past the table's box");
        }
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_period_comes_from_the_query_and_a_period_without_plays_says_so()
    {
        var page = await OpenAsync(service.Url + "?from=2018-11-05&to=2018-11-06");
        var expected = Oracle.Report(new DateOnly(2018, 11, 5), new DateOnly(2018, 11, 6));

        Assert.Equal(N(expected["totals"]!["plays"]), await Answer(page, "plays"));
        await AssertTableAsync(page, "plays_per_day", 0, Items(expected, "plays_per_day").Select(d => Row(S(d["day"]), N(d["plays"]), N(d["active_users"]))));
        Assert.Equal("2018-11-05", await page.Locator("input[name=from]").InputValueAsync());
        Assert.Equal("2018-11-06", await page.Locator("input[name=to]").InputValueAsync());

        await page.GotoAsync(service.Url + "?from=2030-01-01");
        Assert.Contains("No plays in this period", await page.Locator("[data-answer=empty]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("0", await Answer(page, "plays"));
    }

    private async Task<IPage> OpenAsync(string url)
    {
        var page = await service.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        await page.GotoAsync(url);
        return page;
    }

    private static Task<string> Answer(IPage page, string name) => page.Locator($"[data-answer='{name}']").InnerTextAsync();

    private static async Task AssertTableAsync(IPage page, string section, int table, IEnumerable<string> expectedRows)
    {
        var rows = await page.Locator($"#{section} table").Nth(table).EvaluateAsync<string[]>(
            "t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim()).join(' | '))");
        Assert.Equal([.. expectedRows], rows);
    }

    private static async Task<ChartMarks> ChartAsync(IPage page, string chart) =>
        ChartMarks.Parse(chart, await page.Locator($"[data-chart='{chart}'] svg").EvaluateAsync<string>(ChartMarks.Script));

    private static List<JsonNode> Items(JsonNode node, string name) => [.. node[name]!.AsArray().Select(i => i!)];

    private static string Row(params string[] cells) => string.Join(" | ", cells);

    private static string S(JsonNode? value) => value?.GetValue<string>() ?? "";

    private static double V(JsonNode? value) => value!.GetValue<double>();

    private static string N(JsonNode? value) => value!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture);

    private static string D(JsonNode? value) => value!.GetValue<double>().ToString("0.#", CultureInfo.InvariantCulture);

    private static string Percent(JsonNode? value)
    {
        var share = value!.GetValue<double>();
        return (share * 100).ToString(share is > 0 and < 0.01 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "%";
    }
}
