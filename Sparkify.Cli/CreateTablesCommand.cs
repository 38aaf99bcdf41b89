using System.CommandLine;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Cli;

internal static class CreateTablesCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var drop = new Option<bool>("--drop") { Description = "Drop every Sparkify table, with all its data, before creating them." };
        var command = new Command("create-tables",
            $"Create the staging, star-schema and bookkeeping tables (apply migrations); with ${WorkerRole.PasswordVariable} set, also the workers' role {WorkerRole.Name}.")
        {
            connection, drop,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, error) =>
        {
            await using var dataSource = WarehouseConnection.Open(parseResult, connection);
            var migrator = new SchemaMigrator(dataSource);
            if (parseResult.GetValue(drop))
            {
                await error.WriteLineAsync($"WARNING: --drop: dropping every Sparkify table and ALL ITS DATA in {WarehouseConnection.Describe(dataSource)}.");
                await migrator.DropAllAsync(cancellationToken);
                await error.WriteLineAsync($"Dropped: {string.Join(", ", SchemaMigrator.OwnedTables)}.");
            }
            var applied = await migrator.MigrateAsync(cancellationToken);
            await output.WriteLineAsync(applied.Count == 0
                ? "Tables are up to date (no migration to apply)."
                : $"Applied migration(s) {string.Join(", ", applied)}: tables created.");
            if (Environment.GetEnvironmentVariable(WorkerRole.PasswordVariable) is { Length: > 0 } workerPassword)
            {
                await WorkerRole.EnsureAsync(dataSource, workerPassword, cancellationToken);
                await output.WriteLineAsync($"The workers' role {WorkerRole.Name} has its password and its rights (no DDL).");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
