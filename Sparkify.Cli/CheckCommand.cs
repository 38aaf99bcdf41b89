using System.CommandLine;
using Sparkify.Warehouse.Quality;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Cli;

internal static class CheckCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var all = new Option<bool>("--all")
        {
            Description = "Check the whole warehouse (every table, every row) instead of what the latest star load consumed.",
        };
        var command = new Command("check", "Run the data-quality checks on the latest load (or --all); exits 1 naming every check that fails.")
        {
            connection, all,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, error) =>
        {
            await using var dataSource = WarehouseConnection.Open(parseResult, connection);
            await new SchemaMigrator(dataSource).MigrateAsync(cancellationToken);
            var checks = new QualityChecks(dataSource);
            var batchId = parseResult.GetValue(all) ? null : await checks.LatestStarBatchAsync(cancellationToken);
            await error.WriteLineAsync(batchId is { } batch ? $"Checking what batch {batch}'s star load consumed (--all: the whole warehouse)." : "Checking the whole warehouse.");
            var results = await checks.RunAsync(batchId, cancellationToken);
            await QualityReport.WriteAsync(output, error, results);
            return results.All(r => r.Passed) ? ExitCodes.Success : ExitCodes.DataFailure;
        }));
        return command;
    }
}
