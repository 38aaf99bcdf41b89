using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Sparkify.Pipeline.Hosting;

namespace Sparkify.Pipeline.Tests;

public sealed class TransientFaultsTests
{
    [Fact]
    public void A_dependency_being_away_is_transient()
    {
        Assert.True(TransientFaults.IsTransient(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(TransientFaults.IsTransient(new HttpRequestException("Connection refused")));
        Assert.True(TransientFaults.IsTransient(new AmazonServiceException("busy") { StatusCode = HttpStatusCode.ServiceUnavailable }));
        Assert.True(TransientFaults.IsTransient(new AmazonServiceException("slow down") { StatusCode = HttpStatusCode.BadRequest, ErrorCode = "Throttling" }));
        Assert.True(TransientFaults.IsTransient(new AmazonClientException("wrapped", new HttpRequestException("reset"))));
        Assert.True(TransientFaults.IsTransient(new TimeoutException()));
    }

    [Fact]
    public void A_refused_database_login_is_waited_out_the_migration_creates_the_role_and_rotation_changes_its_password()
    {
        Assert.True(TransientFaults.IsTransient(new PostgresException("password authentication failed for user \"sparkify_worker\"", "FATAL", "FATAL", "28P01")));
        Assert.True(TransientFaults.IsTransient(new PostgresException("role \"sparkify_worker\" does not exist", "FATAL", "FATAL", "28000")));
        Assert.False(TransientFaults.IsTransient(new PostgresException("permission denied for table songs", "ERROR", "ERROR", "42501")));
    }

    [Fact]
    public void A_wrong_deployment_is_not_transient()
    {
        Assert.False(TransientFaults.IsTransient(new QueueDoesNotExistException("no queue") { StatusCode = HttpStatusCode.BadRequest }));
        Assert.False(TransientFaults.IsTransient(new AmazonServiceException("denied") { StatusCode = HttpStatusCode.Forbidden, ErrorCode = "AccessDenied" }));
        Assert.False(TransientFaults.IsTransient(new InvalidOperationException("bug")));
    }

    [Fact]
    public void Describe_names_the_root_cause_once()
    {
        var said = TransientFaults.Describe(new NpgsqlException("Failed to connect to 127.0.0.1:1", new SocketException((int)SocketError.ConnectionRefused)));
        Assert.StartsWith("NpgsqlException: Failed to connect to 127.0.0.1:1 (SocketException:", said);
        Assert.Equal("TimeoutException: late", TransientFaults.Describe(new TimeoutException("late")));
    }

    [Fact]
    public void The_backoff_doubles_up_to_its_maximum()
    {
        var retry = new DependencyRetry(null!, Options.Create(new RetryOptions()), NullLogger<DependencyRetry>.Instance);
        Assert.Equal([2, 4, 8, 16, 30, 30], Enumerable.Range(1, 6).Select(n => retry.BackoffAfter(n).TotalSeconds));
    }
}
