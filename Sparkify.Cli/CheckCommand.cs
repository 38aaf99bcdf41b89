using System.CommandLine;
using Sparkify.Warehouse.Quality;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Cli;

internal static class CheckCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var command = new Command("check", "Run the data-quality checks; exits 1 naming every check that fails.") { connection };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, error) =>
        {
            await using var dataSource = WarehouseConnection.Open(parseResult, connection);
            await new SchemaMigrator(dataSource).MigrateAsync(cancellationToken);
            var results = await new QualityChecks(dataSource).RunAsync(batchId: null, cancellationToken);
            await QualityReport.WriteAsync(output, error, results);
            return results.All(r => r.Passed) ? ExitCodes.Success : ExitCodes.DataFailure;
        }));
        return command;
    }
}
