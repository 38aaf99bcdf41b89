using System.CommandLine;
using System.Diagnostics;
using Sparkify.Cli.Generate;

namespace Sparkify.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Where to write song_data/ and log_data/ (must not hold them yet)." };
        var songs = new Option<int>("--songs") { Description = "Number of song files.", Required = true };
        var events = new Option<int>("--events") { Description = "Number of log events.", Required = true };
        var days = new Option<int>("--days") { Description = "Days of log files, from 2018-11-01.", DefaultValueFactory = _ => 30 };
        var users = new Option<int>("--users") { Description = "Distinct users.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed writes the same bytes.", DefaultValueFactory = _ => 42 };
        var matched = new Option<double>("--matched-share")
        {
            Description = "Share of plays (0..1) that name a generated song exactly.",
            DefaultValueFactory = _ => 0.3,
        };
        var command = new Command("generate", "Write synthetic song and log files in the real data's format and quirks.")
        {
            folder, songs, events, days, users, seed, matched,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, _) =>
        {
            var target = parseResult.GetValue(folder)!;
            var options = new GeneratorOptions(
                parseResult.GetValue(songs), parseResult.GetValue(events), parseResult.GetValue(days),
                parseResult.GetValue(users), parseResult.GetValue(seed), parseResult.GetValue(matched));
            var stopwatch = Stopwatch.StartNew();
            GeneratorSummary summary;
            try
            {
                summary = await DemoDataGenerator.WriteAsync(target.FullName, options, cancellationToken);
            }
            catch (InvalidOperationException exception)
            {
                throw new UsageException(exception.Message);
            }
            await output.WriteLineAsync(
                $"Wrote {summary.SongFiles:N0} song files and {summary.LogFiles:N0} log files ({summary.Events:N0} events, " +
                $"{summary.NextSongEvents:N0} plays, {summary.Bytes / 1048576.0:F1} MB) to {target.FullName} in {stopwatch.Elapsed.TotalSeconds:F1} s");
            return ExitCodes.Success;
        }));
        return command;
    }
}
