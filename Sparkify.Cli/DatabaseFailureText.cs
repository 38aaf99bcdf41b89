using Npgsql;

namespace Sparkify.Cli;

/// <summary>One line saying why the database failed: Npgsql's message, with the socket's reason when it keeps it inside.</summary>
internal static class DatabaseFailureText
{
    public static string Describe(NpgsqlException exception)
    {
        var message = exception.Message.Split('\n', 2)[0].Trim();
        var cause = exception.InnerException;
        while (cause?.InnerException is not null)
        {
            cause = cause.InnerException;
        }
        return cause is null || message.Contains(cause.Message, StringComparison.Ordinal) ? message : $"{message} ({cause.Message.Split('\n', 2)[0].Trim()})";
    }
}
