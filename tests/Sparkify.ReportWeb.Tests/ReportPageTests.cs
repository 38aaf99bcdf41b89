using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
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
/// warehouse holding the real sample: every chart is there, and every number shown is the one the JSON answers give.
/// A screenshot is kept in artifacts/screenshots.
/// </summary>
public sealed class ReportPageTests : IAsyncLifetime
{
    private static readonly string[] Charts =
        ["plays_per_day", "hour_by_weekday", "hours", "top_songs", "top_artists", "levels", "sessions", "top_locations", "browsers", "operating_systems", "catalog"];

    private PostgresServer _postgres = null!;
    private Process _service = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly HttpClient _http = new();
    private string _url = "";

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        var connection = await _postgres.CreateDatabaseAsync("report");
        await using (var dataSource = NpgsqlDataSource.Create(connection))
        {
            await new SchemaMigrator(dataSource).MigrateAsync();
            await new WarehouseLoader(dataSource, new LoadOptions()).LoadAsync("sample", await LocalSourceFiles.FindAsync(SampleData.Folder));
        }
        _url = $"http://127.0.0.1:{FreePort()}/";
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(LocalTools.WorkerDll(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "Sparkify.ReportWeb"));
        info.Environment["ConnectionStrings__warehouse"] = connection;
        info.Environment["ASPNETCORE_URLS"] = _url;
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        _service = Process.Start(info)!;
        _service.OutputDataReceived += (_, _) => { };
        _service.ErrorDataReceived += (_, _) => { };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        await WaitUntilServingAsync();

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [Fact]
    public async Task Every_chart_is_drawn_and_every_number_shown_is_the_JSON_answer()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        await page.GotoAsync(_url);
        using var json = JsonDocument.Parse(await _http.GetStringAsync(_url + "report.json"));
        var answers = json.RootElement;

        foreach (var chart in Charts)
        {
            Assert.True(await page.Locator($"[data-chart='{chart}'] svg").CountAsync() == 1, $"the {chart} chart is missing");
        }
        string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
        var totals = answers.GetProperty("totals");
        Assert.Equal(Number(totals.GetProperty("plays").GetInt64()), await Answer(page, "plays"));
        Assert.Equal(Number(totals.GetProperty("active_users").GetInt64()), await Answer(page, "active_users"));
        Assert.Equal(Number(totals.GetProperty("sessions").GetInt64()), await Answer(page, "sessions"));
        Assert.Equal($"{answers.GetProperty("busiest_hour").GetProperty("hour").GetInt32():00}:00", await Answer(page, "busiest_hour"));
        Assert.Equal(Percent(answers.GetProperty("paid_play_share").GetDouble()), await Answer(page, "paid_play_share"));
        var catalog = answers.GetProperty("catalog");
        Assert.Equal(Percent(catalog.GetProperty("matched_share").GetDouble()), await Answer(page, "matched_share"));
        Assert.Equal(Number(catalog.GetProperty("matched_plays").GetInt64()), await Answer(page, "matched_plays"));
        Assert.Equal(Number(catalog.GetProperty("unmatched_plays").GetInt64()), await Answer(page, "unmatched_plays"));
        var switches = answers.GetProperty("level_switches").EnumerateArray().ToList();
        Assert.Equal(switches.Count(s => s.GetProperty("is_upgrade").GetBoolean()).ToString(CultureInfo.InvariantCulture), await Answer(page, "upgrades"));
        Assert.Equal(switches.Count(s => !s.GetProperty("is_upgrade").GetBoolean()).ToString(CultureInfo.InvariantCulture), await Answer(page, "downgrades"));
        var topSong = answers.GetProperty("top_songs")[0].GetProperty("title").GetString()!;
        Assert.Contains(topSong, await page.Locator("#top_songs table").InnerTextAsync(), StringComparison.Ordinal);
        var firstDay = answers.GetProperty("plays_per_day")[0];
        Assert.Contains($"{firstDay.GetProperty("day").GetString()}\t{Number(firstDay.GetProperty("plays").GetInt64())}",
            await page.Locator("#plays_per_day table").InnerTextAsync(), StringComparison.Ordinal);

        var screenshot = Path.Combine(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "artifacts", "screenshots", "report-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }

    [Fact]
    public async Task The_period_comes_from_the_query_and_a_period_without_plays_says_so()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_url + "?from=2018-11-05&to=2018-11-06");
        using var json = JsonDocument.Parse(await _http.GetStringAsync(_url + "report.json?from=2018-11-05&to=2018-11-06"));
        Assert.Equal(json.RootElement.GetProperty("totals").GetProperty("plays").GetInt64().ToString("N0", CultureInfo.InvariantCulture), await Answer(page, "plays"));
        Assert.Equal("2018-11-05", await page.Locator("input[name=from]").InputValueAsync());

        await page.GotoAsync(_url + "?from=2030-01-01");
        Assert.Contains("No plays in this period", await page.Locator("[data-answer=empty]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("0", await Answer(page, "plays"));
    }

    private static Task<string> Answer(IPage page, string name) => page.Locator($"[data-answer='{name}']").InnerTextAsync();

    private static string Percent(double share) =>
        (share * 100).ToString(share is > 0 and < 0.01 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "%";

    private async Task WaitUntilServingAsync()
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await _http.GetAsync(_url + "health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"the report service did not answer on {_url}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        _service.Kill(entireProcessTree: true);
        await _service.WaitForExitAsync();
        _service.Dispose();
        _http.Dispose();
        await _postgres.DisposeAsync();
    }
}
