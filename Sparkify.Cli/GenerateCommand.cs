using System.CommandLine;
using System.Diagnostics;
using Sparkify.DevTools.DemoData;
using Sparkify.DevTools;

namespace Sparkify.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("target")
        {
            Description = "A folder to write song_data/ and log_data/ into (must not hold them yet), or s3://bucket/prefix.",
        };
        var serviceUrl = new Option<string?>("--s3-service-url") { Description = "An S3 endpoint instead of AWS (e.g. the local fauxqs)." };
        var songs = new Option<int>("--songs") { Description = "Number of song files.", Required = true };
        var events = new Option<int>("--events") { Description = "Number of log events.", Required = true };
        var days = new Option<int>("--days") { Description = "Days of log files, from --start-date.", DefaultValueFactory = _ => 30 };
        var startDate = new Option<DateOnly?>("--start-date")
        {
            Description = "The first day of log files (yyyy-MM-dd; default 2018-11-01). Later days get session ids of their own, " +
                "so a day generated after a history adds to it.",
        };
        var users = new Option<int>("--users") { Description = "Distinct users.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed writes the same bytes.", DefaultValueFactory = _ => 42 };
        var matched = new Option<double>("--matched-share")
        {
            Description = "Share of plays (0..1) that name a generated song exactly.",
            DefaultValueFactory = _ => 0.3,
        };
        var command = new Command("generate", "Write synthetic song and log files in the real data's format and quirks.")
        {
            folder, songs, events, days, startDate, users, seed, matched, serviceUrl,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, _) =>
        {
            var target = parseResult.GetValue(folder)!;
            var options = new GeneratorOptions(
                parseResult.GetValue(songs), parseResult.GetValue(events), parseResult.GetValue(days),
                parseResult.GetValue(users), parseResult.GetValue(seed), parseResult.GetValue(matched), parseResult.GetValue(startDate));
            var stopwatch = Stopwatch.StartNew();
            var s3Target = S3Target.TryParse(target);
            var s3ServiceUrl = parseResult.GetValue(serviceUrl);
            using var client = s3Target is null ? null : await S3Connection.OpenAsync(s3Target, s3ServiceUrl, cancellationToken);
            var localFolder = s3Target is null ? Path.GetFullPath(target) : Directory.CreateTempSubdirectory("sparkify-generate-").FullName;
            try
            {
                GeneratorSummary summary;
                try
                {
                    summary = await DemoDataGenerator.WriteAsync(localFolder, options, cancellationToken);
                }
                catch (InvalidOperationException exception)
                {
                    throw new UsageException(exception.Message);
                }
                if (s3Target is { } s3 && client is not null)
                {
                    await S3Connection.CallAsync(s3, s3ServiceUrl,
                        () => QueueSetup.UploadFolderAsync(client, s3.Bucket, localFolder, cancellationToken, s3.Prefix));
                }
                await output.WriteLineAsync(
                    $"Wrote {summary.SongFiles:N0} song files and {summary.LogFiles:N0} log files ({summary.Events:N0} events, " +
                    $"{summary.NextSongEvents:N0} plays, {summary.Bytes / 1048576.0:F1} MB) to {(s3Target is null ? localFolder : target)} " +
                    $"in {stopwatch.Elapsed.TotalSeconds:F1} s");
            }
            finally
            {
                if (s3Target is not null)
                {
                    Directory.Delete(localFolder, recursive: true);
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
