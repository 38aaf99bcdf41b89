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
            // Each S3 and SQS call is listed by its operation: the SDK's client span, around the HTTP span of its request.
            Assert.True(await ShowsSpanAsync(page, "GetObject", new Regex(@"S3\W?GetObject")), "the S3 reads are listed by their operation");
            Assert.True(await ShowsSpanAsync(page, "SendMessageBatch", new Regex(@"SQS\W?SendMessageBatch")), "the SQS sends are listed by their operation");
            await FilterBox(page).FillAsync("");
            await Screenshot(page, "dashboard-pipeline-trace.png");

            // The console stays what a person running scripts/run.sh needs: no line per dashboard request or
            // orchestrator step.
            Assert.DoesNotContain("DashboardService/", appHost.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Starting DCP with arguments", appHost.Output, StringComparison.Ordinal);
            Assert.Contains("Login to the dashboard at", appHost.Output, StringComparison.Ordinal);
            // ...and the batch's result, with the warehouse's counts.
            Assert.True(await appHost.PrintsAsync(new Regex(
                    @"Batch \d+ completed: 8,127 row\(s\) staged, 0 rejected, 326 with text repaired; star: songplays 6,820 inserted; users 97 inserted; " +
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
        // The trace list is open already (the caller saw the trace in it). What is waited for is the trace's address,
        // by the dashboard's own navigation or a plain one, never a load event (on a busy machine the page's every
        // script and font can take minutes); a click made before the page was interactive is lost, so it is made again.
        var deadline = DateTime.UtcNow + Patience;
        while (!await AddressAsync(page, IsTraceDetail, TimeSpan.Zero))
        {
            if (DateTime.UtcNow > deadline)
            {
                await Screenshot(page, "dashboard-failure.png");
                Assert.Fail($"the {name} trace did not open within {Patience}.\n{appHost.Output}");
            }
            try
            {
                await page.GetByText(name).First.ClickAsync(new LocatorClickOptions { Timeout = 10_000 });
            }
            catch (TimeoutException)
            {
                // The list was being rendered again: look again.
            }
            await AddressAsync(page, IsTraceDetail, TimeSpan.FromSeconds(10));
        }
        // The span list is virtualised: a span below the fold is found through the page's own filter box.
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

    private static bool IsTraceDetail(string url) => url.Contains("/traces/detail/", StringComparison.Ordinal);

    /// <summary>Whether the page's address satisfies <paramref name="condition"/>, looking until <paramref name="within"/> has passed.</summary>
    private static async Task<bool> AddressAsync(IPage page, Func<string, bool> condition, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (!condition(page.Url))
        {
            if (DateTime.UtcNow >= until)
            {
                return false;
            }
            await Task.Delay(250);
        }
        return true;
    }

    /// <summary>The page's filter box: a Fluent UI search field, whose input sits in its shadow DOM.</summary>
    private static ILocator FilterBox(IPage page) => page.GetByPlaceholder("Filter").First.Locator("input");

    /// <summary>
    /// Whether the trace shows a span listed as <paramref name="listed"/> (default: the filter text) once
    /// <paramref name="span"/> is in the filter box, looking again until the patience runs out.
    /// </summary>
    private static async Task<bool> ShowsSpanAsync(IPage page, string span, Regex? listed = null)
    {
        var shows = listed is null ? page.GetByText(span).First : page.GetByText(listed).First;
        var shown = await EventuallyAsync(page, () => FilterBox(page).FillAsync(span), shows);
        if (!shown)
        {
            await FilterBox(page).FillAsync("");
        }
        return shown;
    }

    /// <summary>
    /// Does <paramref name="act"/> and waits a while for <paramref name="shows"/>, again and again until the patience runs
    /// out: a server-rendered page on a busy machine can miss an input made before it was ready.
    /// </summary>
    private static async Task<bool> EventuallyAsync(IPage page, Func<Task> act, ILocator shows)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await act();
                await shows.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 10_000 });
                return true;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (TimeoutException)
            {
                await Screenshot(page, "dashboard-failure.png");
                return false;
            }
        }
    }

    private static async Task Screenshot(IPage page, string name)
    {
        var path = Path.Combine(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "artifacts", "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }
}
