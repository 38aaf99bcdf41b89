using System.Net.Sockets;
using Npgsql;
using Sparkify.Pipeline.Hosting;
using Sparkify.Transform;

namespace Sparkify.Pipeline.Tests;

/// <summary>
/// Only a database that cannot be reached is an outage (the receivers pause and redo the work without spending
/// receives); a lock wait, a deadlock or a statement cut short is contention, which counts against the work.
/// </summary>
public sealed class OutageOrContentionTests
{
    private static PostgresException Postgres(string sqlState) => new("message", "ERROR", "ERROR", sqlState);

    public static TheoryData<string> ContentionStates => ["55P03", "40P01", "40001", "57014"];
    public static TheoryData<string> OutageStates => ["08006", "08001", "57P01", "57P02", "57P03", "53300"];

    [Theory]
    [MemberData(nameof(ContentionStates))]
    public void Lock_waits_deadlocks_and_cancelled_statements_are_contention_not_outages(string sqlState)
    {
        var exception = Postgres(sqlState);

        Assert.True(TransientFaults.IsContention(exception));
        Assert.False(TransientFaults.IsDatabaseOutage(exception));
        Assert.Null(new DependencyProbes(null!, null!).ProbeFor(exception));
    }

    [Theory]
    [MemberData(nameof(OutageStates))]
    public void A_server_that_refuses_or_drops_connections_is_an_outage(string sqlState)
    {
        var exception = Postgres(sqlState);

        Assert.True(TransientFaults.IsDatabaseOutage(exception));
        Assert.False(TransientFaults.IsContention(exception));
        Assert.Equal("the warehouse database", new DependencyProbes(null!, null!).ProbeFor(exception)?.Dependency);
    }

    [Fact]
    public void A_broken_or_refused_connection_is_an_outage_and_a_slow_command_is_contention()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:1", new SocketException((int)SocketError.ConnectionRefused));
        var broken = new NpgsqlException("Exception while reading from stream", new EndOfStreamException());
        var connectTimeout = new NpgsqlException("Exception while connecting", new TimeoutException());
        var commandTimeout = new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"));

        Assert.All([refused, broken, connectTimeout], e => Assert.True(TransientFaults.IsDatabaseOutage(e), e.Message));
        Assert.False(TransientFaults.IsDatabaseOutage(commandTimeout));
        Assert.True(TransientFaults.IsContention(commandTimeout));
        Assert.False(TransientFaults.IsContention(refused));
    }

    [Fact]
    public void A_wrapped_failure_is_judged_by_its_cause()
    {
        Assert.True(TransientFaults.IsContention(new InvalidOperationException("staging failed", Postgres("40P01"))));
        Assert.True(TransientFaults.IsDatabaseOutage(new InvalidOperationException("staging failed", Postgres("57P01"))));
        Assert.False(TransientFaults.IsDatabaseOutage(Postgres("23505")));
        Assert.False(TransientFaults.IsContention(Postgres("23505")));
    }
}
