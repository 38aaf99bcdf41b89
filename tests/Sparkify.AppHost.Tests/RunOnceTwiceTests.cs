using Sparkify.Testing;

namespace Sparkify.AppHost.Tests;

/// <summary>
/// `scripts/run.sh --once` run twice on one folder: the second run judges only what it did itself. It finds nothing
/// new and says so, and the first run's failed file does not make it fail.
/// </summary>
[Collection(RunOnceCollection.Name)]
public sealed class RunOnceTwiceTests
{
    [Fact]
    public async Task A_second_run_with_nothing_new_says_so_and_is_not_failed_by_an_earlier_runs_failure()
    {
        var state = Directory.CreateTempSubdirectory("sparkify-twice-");
        using var data = new TempFolder();
        if (!OperatingSystem.IsWindows())
        {
            // The local PostgreSQL runs as the postgres user when tests run as root: it must reach its data folder.
            File.SetUnixFileMode(state.FullName, (UnixFileMode)0b111_101_101);
        }
        foreach (var file in new[] { "log_data/2018/11/2018-11-01-events.json", "log_data/2018/11/2018-11-02-events.json", "song_data/A/A/A/TRAAAAW128F429D538.json" })
        {
            data.Write(file, await File.ReadAllBytesAsync(Path.Combine(SampleData.Folder, file)));
        }
        // A file that fails for good: a zip archive named .json.
        data.Write("log_data/2018/11/2018-11-03-events.json", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]);
        try
        {
            var first = await RunAsync(state.FullName, data.Path);
            Assert.True(first.ExitCode == 1, first.Output);
            Assert.Matches(@"batch 1: completed_with_failures", first.Output);

            var second = await RunAsync(state.FullName, data.Path);

            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Contains("Nothing new", second.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("batch 1:", second.Output, StringComparison.Ordinal);
            Assert.Contains("1 of the 1 batch(es) of earlier runs did not complete", second.Output, StringComparison.Ordinal);
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string stateDirectory, string folder)
    {
        await using var appHost = AppHostProcess.Start("--Sparkify:RunOnce=true", $"--Sparkify:DataFolder={folder}",
            $"--Sparkify:StateDirectory={stateDirectory}", "--Sparkify:RunOnceTimeoutMinutes=3");
        var exitCode = await appHost.WaitForExitAsync(TimeSpan.FromMinutes(4));
        return (exitCode, appHost.Output);
    }
}
