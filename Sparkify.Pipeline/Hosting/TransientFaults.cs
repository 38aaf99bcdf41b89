using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Npgsql;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// Which failures are a dependency being away for a while (waited out with backoff, never blamed on a file) and which
/// are not (a missing queue, a refused permission: retrying changes nothing). A refused database login is waited out
/// too: the workers' login is created by the migration task, which may not have run yet, and its password is rotated
/// (for a few seconds the database and the secret disagree; new connections read the secret again).
/// </summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState is "57P01" or "57P02" or "57P03"
            || postgres.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is { } inner && IsTransient(inner),
        AmazonServiceException aws when aws.StatusCode is >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests
            or HttpStatusCode.RequestTimeout => true,
        AmazonServiceException aws when aws.ErrorCode is "Throttling" or "ThrottlingException" or "RequestThrottled" or "SlowDown"
            or "ServiceUnavailable" or "InternalError" => true,
        TimeoutException or SocketException or HttpRequestException or IOException => true,
        // An HTTP client timeout surfaces as a cancellation that nobody asked for.
        TaskCanceledException => true,
        _ => exception.InnerException is { } cause && IsTransient(cause),
    };

    /// <summary>One line: the exception's type and message, and its innermost cause's when that says more.</summary>
    public static string Describe(Exception exception)
    {
        var root = exception;
        while (root.InnerException is { } inner)
        {
            root = inner;
        }
        var text = $"{exception.GetType().Name}: {exception.Message}";
        return ReferenceEquals(root, exception) || exception.Message.Contains(root.Message, StringComparison.Ordinal)
            ? text
            : $"{text} ({root.GetType().Name}: {root.Message})";
    }
}
