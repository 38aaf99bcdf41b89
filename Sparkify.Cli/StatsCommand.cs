using System.CommandLine;
using System.Text.Json;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Cli;

internal static class StatsCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object of table row counts." };
        var command = new Command("stats", "Row counts of the staging and star tables, and the number of load errors.") { connection, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, _) =>
        {
            await using var dataSource = WarehouseConnection.Open(parseResult, connection);
            await new SchemaMigrator(dataSource).MigrateAsync(cancellationToken);
            var counts = await new WarehouseStats(dataSource).CountAsync(cancellationToken);
            if (parseResult.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(counts));
            }
            else
            {
                foreach (var (table, count) in counts)
                {
                    await output.WriteLineAsync($"{table,-16}{count,12:N0}");
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
