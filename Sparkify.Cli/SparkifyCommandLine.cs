using System.CommandLine;

namespace Sparkify.Cli;

public static class SparkifyCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Sparkify warehouse loader: JSON song and event files into a PostgreSQL star schema.")
        {
            CreateTablesCommand.Create(),
            LoadCommand.Create(),
            StatsCommand.Create(),
            CheckCommand.Create(),
            ReportCommand.Create(),
            GenerateCommand.Create(),
            BenchCommand.Create(),
        };
        OptionValueParsers.Install(root);
        return root;
    }

    /// <summary>
    /// Parses and runs a command line. A command line that does not parse (an unknown option, a missing or bad value)
    /// exits <see cref="ExitCodes.UsageError"/> with one "error: …" line per problem and where to read the usage.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        var parseResult = Build().Parse(args);
        if (parseResult.Errors.Count == 0)
        {
            return await parseResult.InvokeAsync(configuration);
        }
        foreach (var error in parseResult.Errors)
        {
            await configuration.Error.WriteLineAsync("error: " + error.Message);
        }
        var command = parseResult.CommandResult.Command;
        await configuration.Error.WriteLineAsync($"See 'sparkify {(command is RootCommand ? "" : command.Name + " ")}--help' for the usage.");
        return ExitCodes.UsageError;
    }
}
