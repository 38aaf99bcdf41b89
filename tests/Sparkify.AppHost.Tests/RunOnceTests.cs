using System.Diagnostics;
using Sparkify.Testing;

namespace Sparkify.AppHost.Tests;

/// <summary>
/// The local run as `scripts/run.sh --once` starts it: the AppHost as a process of its own (dashboard on free ports),
/// run to its end. It never hangs: a resource that cannot run ends the run at once, and a run right after another
/// finds its warehouse again instead of waiting for the previous server forever.
/// </summary>
[Collection(RunOnceCollection.Name)]
public sealed class RunOnceTests
{
    [Fact]
    public async Task A_resource_that_cannot_run_ends_the_run_at_once_with_its_last_log_lines_and_exit_code_1()
    {
        // A state folder that cannot be made: the local PostgreSQL exits at once.
        var run = await RunAppHostAsync("/dev/null/sparkify-state", TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Contains("run-once failed: warehouse stopped", run.Output, StringComparison.Ordinal);
        Assert.Contains("last", run.Output, StringComparison.Ordinal);
        Assert.True(run.Took < TimeSpan.FromSeconds(90), $"took {run.Took}");
    }

    [Fact]
    public async Task A_first_run_warns_of_nothing_shows_the_report_page_and_its_progress_and_a_run_right_after_it_finds_its_warehouse_and_leaves_no_server_behind()
    {
        var state = Directory.CreateTempSubdirectory("sparkify-runonce-");
        if (!OperatingSystem.IsWindows())
        {
            // The local PostgreSQL runs as the postgres user when tests run as root: it must reach its data folder.
            File.SetUnixFileMode(state.FullName, (UnixFileMode)0b111_101_101);
        }
        // A home of its own: the first run of a person who never ran ASP.NET Core here (no data-protection key ring in
        // ~/.aspnet, no development certificate).
        var firstRunOnThisMachine = new Dictionary<string, string> { ["HOME"] = Directory.CreateDirectory(Path.Combine(state.FullName, "home")).FullName };
        try
        {
            var first = await RunAppHostAsync(state.FullName, TimeSpan.FromMinutes(3), firstRunOnThisMachine);
            Assert.True(first.ExitCode == 0, first.Output);
            AssertNoWarnings(first.Output);
            // The console as in watch mode: the report page's URL, and the batch's progress and end lines before the summary.
            Assert.Matches(@"The report page: http://(localhost|127\.0\.0\.1):\d+", first.Output);
            Assert.Matches(@"Batch \d+ completed: 8,127 row\(s\) staged, 0 rejected, 326 with text repaired; .*The warehouse holds songplays 6,820", first.Output);
            var second = await RunAppHostAsync(state.FullName, TimeSpan.FromMinutes(3), firstRunOnThisMachine);
            Assert.True(second.ExitCode == 0, second.Output);
            AssertNoWarnings(second.Output);

            Assert.Contains("from an earlier run", second.Output, StringComparison.Ordinal);
            Assert.Contains("\"songplays\":6820", second.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Process.GetProcessesByName("postgres"), p => CommandLine(p).Contains(state.FullName, StringComparison.Ordinal));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    private sealed record Run(int ExitCode, string Output, TimeSpan Took);

    /// <summary>Nothing a newcomer cannot act on: no warning line, no development certificate (the run is HTTP only).</summary>
    private static void AssertNoWarnings(string output)
    {
        Assert.DoesNotMatch("(?m)^warn: ", output);
        Assert.DoesNotContain("development certificate", output, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<Run> RunAppHostAsync(string stateDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var appHost = AppHostProcess.Start(environment ?? new Dictionary<string, string>(), "--Sparkify:RunOnce=true", $"--Sparkify:DataFolder={SampleData.Folder}",
            $"--Sparkify:StateDirectory={stateDirectory}", "--Sparkify:RunOnceTimeoutMinutes=3");
        var exitCode = await appHost.WaitForExitAsync(timeout);
        return new Run(exitCode, appHost.Output, stopwatch.Elapsed);
    }

    private static string CommandLine(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}

/// <summary>AppHost runs one at a time: each starts its own orchestrator and servers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunOnceCollection
{
    public const string Name = "run-once";
}
