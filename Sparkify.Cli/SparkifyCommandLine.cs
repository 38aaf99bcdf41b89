using System.CommandLine;

namespace Sparkify.Cli;

public static class SparkifyCommandLine
{
    public static RootCommand Build() => new("Sparkify warehouse loader: JSON song and event files into a PostgreSQL star schema.")
    {
        CreateTablesCommand.Create(),
        LoadCommand.Create(),
        StatsCommand.Create(),
        CheckCommand.Create(),
        ReportCommand.Create(),
        GenerateCommand.Create(),
        BenchCommand.Create(),
    };
}
