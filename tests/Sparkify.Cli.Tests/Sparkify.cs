using System.CommandLine;

namespace Sparkify.Cli.Tests;

/// <summary>Runs the <c>sparkify</c> command line in process, as a user would type it, capturing its output.</summary>
internal static class Sparkify
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SparkifyCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
