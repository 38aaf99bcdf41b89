using System.CommandLine;
using Npgsql;

namespace Sparkify.Cli;

/// <summary>Runs a command body with its output writers, turning expected failures into a message and an exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(ParseResult parseResult, Func<TextWriter, TextWriter, Task<int>> body)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            return await body(output, error);
        }
        catch (UsageException exception)
        {
            await error.WriteLineAsync("error: " + exception.Message);
            return ExitCodes.UsageError;
        }
        catch (Exception exception) when (exception is DirectoryNotFoundException or ArgumentException)
        {
            await error.WriteLineAsync("error: " + exception.Message);
            return ExitCodes.UsageError;
        }
        catch (ServiceException exception)
        {
            await error.WriteLineAsync("error: " + exception.Message);
            return ExitCodes.ServiceError;
        }
        catch (NpgsqlException exception)
        {
            await error.WriteLineAsync("database error: " + DatabaseFailureText.Describe(exception));
            return ExitCodes.ServiceError;
        }
    }
}
