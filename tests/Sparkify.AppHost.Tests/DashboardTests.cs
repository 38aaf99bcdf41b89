using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sparkify.DevTools;
using Sparkify.Testing;

namespace Sparkify.AppHost.Tests;

/// <summary>
/// The dashboard as a person sees it after `scripts/run.sh` on the real sample, in a real browser (Playwright driving
/// the system Chromium): the resources are listed, and the trace list holds the one pipeline trace — the scan, with
/// the Transform's staging spans and the star load in it — found by name. Screenshots land in artifacts/screenshots.
/// </summary>
[Collection(RunOnceCollection.Name)]
public sealed class DashboardTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Navigations wait for the document, not for every resource's load: the dashboard renders on the server and the
    /// locators below wait for what they need.
    /// </summary>
    private static readonly PageGotoOptions Rendered = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    [Fact]
    public async Task The_dashboard_shows_the_resources_and_the_pipeline_trace_from_scan_to_star_load()
    {
        var state = Directory.CreateTempSubdirectory("sparkify-dashboard-");
        if (!OperatingSystem.IsWindows())
        {
            // The local PostgreSQL runs as the postgres user when tests run as root: it must reach its data folder.
            File.SetUnixFileMode(state.FullName, (UnixFileMode)0b111_101_101);
        }
        await using var appHost = AppHostProcess.Start($"--Sparkify:DataFolder={SampleData.Folder}", $"--Sparkify:StateDirectory={state.FullName}");
        try
        {
            var login = await appHost.DashboardLoginAsync(Patience);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
            // The dashboard renders on the server (Blazor): on two busy cores a click can take a while to answer.
            page.SetDefaultTimeout(90_000);
            await page.GotoAsync(login.ToString(), Rendered);
            var dashboard = login.GetLeftPart(UriPartial.Authority);

            await page.GotoAsync(dashboard + "/", Rendered);
            foreach (var resource in new[] { "warehouse", "aws", "ingest", "transform", "report" })
            {
                await Expect(page.GetByText(resource, new PageGetByTextOptions { Exact = true }).First, $"resource {resource} is listed", appHost);
            }
            await Screenshot(page, "dashboard-resources.png");

            // The pipeline trace is named after its root, the Ingest's scan; it is complete once the star load is in it.
            await page.GotoAsync(dashboard + "/traces", Rendered);
            await Expect(page.GetByText("ingest scan").First, "the scan's trace is listed", appHost, reload: true);
            await Screenshot(page, "dashboard-traces.png");
            await OpenTraceAsync(page, "ingest: ingest scan", "star load", appHost);
            Assert.True(await ShowsSpanAsync(page, "transform stage files"), "the Transform's staging spans are in the trace");
            await FilterBox(page).FillAsync("");
            // The dashboard lists HTTP client spans by method and status; a span's details carry its own name.
            Assert.True(await DetailsShowAsync(page, "HTTP GET 200", new Regex(@"^S3\.GetObject$")), "the S3 reads are named by their operation");
            Assert.True(await DetailsShowAsync(page, "HTTP POST 200", new Regex(@"^SQS\.\w+$")), "the SQS calls are named by their operation");
            await Screenshot(page, "dashboard-pipeline-trace.png");

            // The console stays what a person running scripts/run.sh needs: no line per dashboard request or
            // orchestrator step.
            Assert.DoesNotContain("DashboardService/", appHost.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Starting DCP with arguments", appHost.Output, StringComparison.Ordinal);
            Assert.Contains("Login to the dashboard at", appHost.Output, StringComparison.Ordinal);
            // ...and the batch's result, with the warehouse's counts.
            Assert.True(await appHost.PrintsAsync(new Regex(
                    @"Batch \d+ completed: 8,127 row\(s\) staged, 0 rejected; star: songplays 6,820 inserted; users 97 inserted; " +
                    @"songs 71 inserted; artists 69 inserted; time 6,813 inserted\. The warehouse holds songplays 6,820"),
                TimeSpan.FromSeconds(30)), appHost.Output);
        }
        finally
        {
            await appHost.StopAsync();
            state.Delete(recursive: true);
        }
    }

    /// <summary>Waits for a locator to show, reloading the page between looks when the data arrives later.</summary>
    private static async Task Expect(ILocator locator, string what, AppHostProcess appHost, bool reload = false)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await locator.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 5_000 });
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                if (reload)
                {
                    await locator.Page.ReloadAsync(new PageReloadOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
                }
            }
            catch (TimeoutException)
            {
                await Screenshot(locator.Page, "dashboard-failure.png");
                Assert.Fail($"{what}: not seen within {Patience}.\n{appHost.Output}");
            }
        }
    }

    /// <summary>
    /// Opens the trace named <paramref name="name"/> from the trace list (a click on its name), then looks again until
    /// <paramref name="span"/> has joined it.
    /// </summary>
    private static async Task OpenTraceAsync(IPage page, string name, string span, AppHostProcess appHost)
    {
        // The trace list is open already (the caller saw the trace in it).
        await page.GetByText(name).First.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/traces/detail/", StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 90_000 });
        // The span list is virtualised: a span below the fold is found through the page's own filter box.
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await FilterBox(page).FillAsync(span);
            try
            {
                await page.GetByText(span).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 5_000 });
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                await page.ReloadAsync(new PageReloadOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
            }
            catch (TimeoutException)
            {
                await Screenshot(page, "dashboard-failure.png");
                Assert.Fail($"{span} did not join the {name} trace within {Patience}.\n{appHost.Output}");
            }
        }
    }

    /// <summary>The page's filter box: a Fluent UI search field, whose input sits in its shadow DOM.</summary>
    private static ILocator FilterBox(IPage page) => page.GetByPlaceholder("Filter").First.Locator("input");

    private static async Task<bool> ShowsSpanAsync(IPage page, string span)
    {
        await FilterBox(page).FillAsync(span);
        try
        {
            await page.GetByText(span).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 10_000 });
            return true;
        }
        catch (TimeoutException)
        {
            await FilterBox(page).FillAsync("");
            await Screenshot(page, "dashboard-failure.png");
            return false;
        }
    }

    /// <summary>Opens the details of the first span listed as <paramref name="listed"/> and looks for <paramref name="detail"/>.</summary>
    private static async Task<bool> DetailsShowAsync(IPage page, string listed, Regex detail)
    {
        await page.GetByText(listed).First.ClickAsync();
        try
        {
            await page.GetByText(detail).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 10_000 });
            return true;
        }
        catch (TimeoutException)
        {
            await Screenshot(page, "dashboard-failure.png");
            return false;
        }
    }

    private static async Task Screenshot(IPage page, string name)
    {
        var path = Path.Combine(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "artifacts", "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }
}
