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

    /// <summary>
    /// The database is away (a connection that cannot be made or broke, a server shutting down or refusing
    /// connections): worth waiting out without blaming the work. Not an outage: a lock wait past its limit, a deadlock,
    /// a serialization failure, a statement cut short by a timeout — the server answered, and the same work may meet the
    /// same fate again (<see cref="IsContention"/>).
    /// </summary>
    public static bool IsDatabaseOutage(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                                      || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300"
                                      // A refused login: rotation, or a migration task not run yet (see IsTransient).
                                      || postgres.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification,
        NpgsqlException npgsql when npgsql.InnerException is TimeoutException =>
            npgsql.Message.Contains("connect", StringComparison.OrdinalIgnoreCase),
        NpgsqlException npgsql => npgsql.InnerException is SocketException or IOException
                                  || npgsql.InnerException is NpgsqlException inner && IsDatabaseOutage(inner),
        _ => exception.InnerException is { } cause && IsDatabaseOutage(cause),
    };

    /// <summary>
    /// The work met other work in the database: a lock wait past <c>lock_timeout</c> (55P03), a deadlock (40P01), a
    /// serialization failure (40001), a statement cancelled by <c>statement_timeout</c> (57014), a command timeout.
    /// Retried a bounded number of times, then counted against the work.
    /// </summary>
    public static bool IsContention(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is "55P03" or "40P01" or "40001" or "57014",
        NpgsqlException npgsql when npgsql.InnerException is TimeoutException => !IsDatabaseOutage(npgsql),
        _ => exception.InnerException is { } cause && IsContention(cause),
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
