using System.Diagnostics;
using System.Text.RegularExpressions;
using Sparkify.DevTools;
using Sparkify.Testing;

namespace Sparkify.Cli.Tests;

/// <summary>
/// `scripts/run-local.sh` as a person runs it, against the project's own local PostgreSQL (in a state folder of the
/// test's): each data source has a warehouse of its own, kept between runs, and --fresh empties it.
/// </summary>
public sealed partial class RunLocalScriptTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("sparkify-run-local-");
    private readonly TempFolder _first = SampleDay("2018-11-01");
    private readonly TempFolder _second = SampleDay("2018-11-02");

    public RunLocalScriptTests()
    {
        if (!OperatingSystem.IsWindows())
        {
            // The server runs as the postgres user when tests run as root: it must reach its state folder.
            File.SetUnixFileMode(_state.FullName, (UnixFileMode)0b111_101_101);
        }
    }

    [Fact]
    public async Task Each_folder_loads_into_a_warehouse_of_its_own_kept_between_runs_and_fresh_empties_it()
    {
        var first = await RunAsync(_first.Path);
        Assert.Equal(Plays("2018-11-01"), SongplaysOf(first));

        // Another folder: its own warehouse, not the first one's plus its own.
        var second = await RunAsync(_second.Path);
        Assert.Equal(Plays("2018-11-02"), SongplaysOf(second));
        Assert.Contains(": new.", second, StringComparison.Ordinal);

        // The first folder again: its warehouse kept, nothing loaded twice.
        var again = await RunAsync(_first.Path);
        Assert.Contains("kept from an earlier run", again, StringComparison.Ordinal);
        Assert.Contains("0 loaded, 1 already loaded (skipped)", again, StringComparison.Ordinal);
        Assert.Equal(Plays("2018-11-01"), SongplaysOf(again));

        var fresh = await RunAsync("--fresh", _first.Path);
        Assert.Contains("1 loaded, 0 already loaded (skipped)", fresh, StringComparison.Ordinal);
        Assert.Equal(Plays("2018-11-01"), SongplaysOf(fresh));
    }

    /// <summary>Plays in one day's sample file: its NextSong events (all distinct).</summary>
    private static long Plays(string day) =>
        File.ReadLines(Path.Combine(SampleData.Folder, "log_data", "2018", "11", $"{day}-events.json"))
            .LongCount(line => line.Contains("\"page\":\"NextSong\"", StringComparison.Ordinal));

    private static long SongplaysOf(string output) =>
        long.Parse(SongplaysLine().Match(output) is { Success: true } match ? match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal) : "-1",
            System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^songplays\s+([\d,]+)$", RegexOptions.Multiline)]
    private static partial Regex SongplaysLine();

    private async Task<string> RunAsync(params string[] arguments)
    {
        var (exitCode, output) = await ScriptAsync("run-local.sh", arguments);
        Assert.True(exitCode == 0, output);
        return output;
    }

    private async Task<(int ExitCode, string Output)> ScriptAsync(string script, params string[] arguments)
    {
        var root = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(root, "scripts", script));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["SPARKIFY_STATE_DIR"] = _state.FullName;
        // The test run has built the tool already.
        info.Environment["SPARKIFY_NO_BUILD"] = "1";
        info.Environment.Remove("ConnectionStrings__warehouse");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private static TempFolder SampleDay(string day)
    {
        var folder = new TempFolder();
        var name = $"log_data/2018/11/{day}-events.json";
        folder.Write(name, File.ReadAllBytes(Path.Combine(SampleData.Folder, name)));
        return folder;
    }

    public void Dispose()
    {
        ScriptAsync("local-postgres.sh", "stop").GetAwaiter().GetResult();
        _first.Dispose();
        _second.Dispose();
        _state.Delete(recursive: true);
    }
}
