using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Npgsql;
using Sparkify.DevTools;
using Sparkify.Testing;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Schema;
using Sparkify.Warehouse.Staging;

namespace Sparkify.ReportWeb.Tests;

/// <summary>
/// The live report page reloads whenever a star load commits, also when batches finish out of order: here an earlier
/// batch (a `sparkify load` that died after staging) is finished after a later one has completed.
/// </summary>
public sealed class ReportReloadTests : IAsyncLifetime
{
    private PostgresServer _postgres = null!;
    private NpgsqlDataSource _warehouse = null!;
    private ReportServiceProcess _service = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        var connection = await _postgres.CreateDatabaseAsync("reload");
        _warehouse = NpgsqlDataSource.Create(connection);
        await new SchemaMigrator(_warehouse).MigrateAsync();
        _service = ReportServiceProcess.Start(connection);
    }

    [Fact]
    public async Task A_batch_that_finishes_after_a_later_one_reloads_the_page()
    {
        using var earlierFiles = SampleDay("2018-11-01");
        using var laterFiles = SampleDay("2018-11-02");
        // The earlier batch staged its files, then its process died; the later one completes.
        var earlier = await new BatchStore(_warehouse).OpenAsync("died after staging");
        await new StagingLoader(_warehouse, new LoadOptions()).LoadAsync(earlier, await LocalSourceFiles.FindAsync(earlierFiles.Path));
        var later = await new WarehouseLoader(_warehouse, new LoadOptions()).LoadAsync("later", await LocalSourceFiles.FindAsync(laterFiles.Path));
        Assert.True(later.BatchId > earlier);
        await _service.WaitUntilServingAsync(_http);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_service.Url);
        var before = await _http.GetStringAsync(_service.Url + "version");
        await page.EvaluateAsync("() => { window.sparkifyUnchanged = true; }");

        // The next sparkify load finishes the earlier batch: its star load commits after the later one's.
        var finished = Assert.Single(await new WarehouseLoader(_warehouse, new LoadOptions()).FinishAbandonedAsync());
        Assert.Equal((earlier, "completed"), (finished.BatchId, finished.Outcome.Status));

        Assert.NotEqual(before, await _http.GetStringAsync(_service.Url + "version"));
        // The page looks every 5 s: it reloads (its marker is gone) and shows both days' plays.
        await page.WaitForFunctionAsync("() => window.sparkifyUnchanged === undefined", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal((await Plays()).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            await page.Locator("[data-answer='plays']").InnerTextAsync());
    }

    private async Task<long> Plays()
    {
        await using var command = _warehouse.CreateCommand("SELECT count(*) FROM songplays");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>One day's log file of the real sample, in a folder of its own.</summary>
    private static TempFolder SampleDay(string day)
    {
        var folder = new TempFolder();
        var name = $"log_data/2018/11/{day}-events.json";
        folder.Write(name, File.ReadAllBytes(Path.Combine(SampleData.Folder, name)));
        return folder;
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _http.Dispose();
        await _warehouse.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
