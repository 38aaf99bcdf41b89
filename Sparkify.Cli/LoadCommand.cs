using System.CommandLine;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Schema;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Cli;

internal static class LoadCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var folder = new Argument<DirectoryInfo>("folder") { Description = "A folder holding song_data/ and/or log_data/." };
        var defaults = new LoadOptions();
        var maxErrors = new Option<int>("--max-errors")
        {
            Description = "Rejected records a file may have before it fails as a whole (like Redshift MAXERROR).",
            DefaultValueFactory = _ => defaults.MaxErrorsPerFile,
        };
        var maxRecordBytes = new Option<int>("--max-record-bytes")
        {
            Description = "Longest accepted record (log line or song object), in bytes.",
            DefaultValueFactory = _ => defaults.MaxRecordBytes,
        };
        var command = new Command("load", "Load every song_data/**.json and log_data/**.json (or .json.gz) below a folder as one batch, then the star schema and checks.")
        {
            folder, connection, maxErrors, maxRecordBytes,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, error) =>
        {
            var options = defaults with
            {
                MaxErrorsPerFile = parseResult.GetValue(maxErrors),
                MaxRecordBytes = parseResult.GetValue(maxRecordBytes),
            };
            options.Validate();
            var root = parseResult.GetValue(folder)!;
            await using var dataSource = WarehouseConnection.Open(parseResult, connection);
            var listing = await LocalSourceFiles.ListAsync(root.FullName, cancellationToken);
            var files = listing.Files;
            foreach (var skipped in listing.Skipped)
            {
                await error.WriteLineAsync($"skipped {skipped.Path}: {skipped.Reason}");
            }
            await new SchemaMigrator(dataSource).MigrateAsync(cancellationToken);
            await error.WriteLineAsync(
                $"Loading {files.Count(f => f.Kind == FileKind.Song):N0} song file(s) and {files.Count(f => f.Kind == FileKind.Event):N0} " +
                $"log file(s) from {root.FullName} into {WarehouseConnection.Describe(dataSource)}");
            var loader = new WarehouseLoader(dataSource, options);
            foreach (var (batchId, abandoned) in await loader.FinishAbandonedAsync(cancellationToken))
            {
                await error.WriteLineAsync(
                    $"Batch {batchId}, left unfinished by an earlier load that stopped, is finished: {abandoned.Status}; " +
                    $"{abandoned.Star.FilesTakenIn:N0} staged file(s) taken into the star schema.");
            }
            var progress = new LoadProgress(error, files.Count, TimeSpan.FromSeconds(2));
            var report = await loader.LoadAsync(root.FullName, files, progress, cancellationToken);

            await LoadSummary.WriteAsync(output, report, listing.Skipped.Count);
            await QualityReport.WriteAsync(output, error, report.Checks);
            return report.Succeeded && listing.Skipped.Count == 0 ? ExitCodes.Success : ExitCodes.DataFailure;
        }));
        return command;
    }
}
