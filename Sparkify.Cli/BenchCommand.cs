using System.CommandLine;
using Sparkify.Cli.Bench;
using Sparkify.Cli.Generate;

namespace Sparkify.Cli;

internal static class BenchCommand
{
    public static Command Create()
    {
        var connection = WarehouseConnection.CreateOption();
        var songs = new Option<int>("--songs") { Description = "Song files to generate.", DefaultValueFactory = _ => 2_000 };
        var events = new Option<int>("--events") { Description = "Events to generate.", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated data.", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var noPipeline = new Option<bool>("--no-pipeline") { Description = "Skip the full S3 + SQS pipeline way." };
        var command = new Command("bench",
            "Time the pipeline, `sparkify load` and the in-database way on the same generated data and PostgreSQL server " +
            "(each in a scratch database it creates and drops: the connection's user needs CREATEDB).")
        {
            connection, songs, events, seed, json, noPipeline,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(parseResult, async (output, error) =>
        {
            var connectionString = WarehouseConnection.Resolve(parseResult, connection);
            var options = new GeneratorOptions(parseResult.GetValue(songs), parseResult.GetValue(events), Seed: parseResult.GetValue(seed));
            var report = await new BenchRunner(connectionString, error)
                .RunAsync(options, includePipeline: !parseResult.GetValue(noPipeline), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await output.WriteLineAsync(BenchTable.ToJson(report));
            }
            else
            {
                await BenchTable.WriteAsync(output, report);
            }
            return report.Results.Any(r => r.Ran is false && r.Note?.StartsWith("skipped", StringComparison.Ordinal) != true)
                ? ExitCodes.DataFailure
                : ExitCodes.Success;
        }));
        return command;
    }
}
