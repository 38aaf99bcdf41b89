using System.Security.Authentication;
using Npgsql;
using Sparkify.Testing;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// The connection the deployed tasks make (<c>SSL Mode=VerifyFull</c> with a CA bundle file, as the stack writes it)
/// against PostgreSQL servers with certificates made here: it accepts the server whose certificate its CA signed for
/// the host it dials, and refuses one signed for another host and one signed by another CA — both of which
/// <c>SSL Mode=Require</c> accepts.
/// </summary>
public sealed class VerifiedTlsTests : IAsyncLifetime
{
    private const string AdminPassword = "tls-test-admin";
    private readonly TestCertificates _authority = new("Sparkify test CA");
    private readonly TestCertificates _otherAuthority = new("Another CA");
    private readonly TempFolder _folder = new();
    private PostgresServer _right = null!, _wrongHost = null!, _otherCa = null!;
    private string _bundle = "";

    public async Task InitializeAsync()
    {
        // A bundle of several CAs, as the RDS one is: the one that signed the server is not the first.
        _bundle = TestCertificates.Bundle(Path.Combine(_folder.Path, "bundle.pem"), _otherAuthority, _authority);
        var servers = await Task.WhenAll(
            StartAsync(_authority.IssueServer("right", "127.0.0.1", "localhost")),
            StartAsync(_authority.IssueServer("wrong-host", "warehouse.example.internal")),
            StartAsync(new TestCertificates("Unknown CA").IssueServer("other-ca", "127.0.0.1")));
        (_right, _wrongHost, _otherCa) = (servers[0], servers[1], servers[2]);
    }

    [Fact]
    public async Task VerifyFull_accepts_the_server_its_CA_signed_for_the_host_it_dials()
    {
        await using var connection = new NpgsqlConnection(VerifyFull(_right));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task VerifyFull_refuses_a_certificate_for_another_host()
    {
        await AssertRefusedAsync(_wrongHost);
        await AssertRequireConnectsAsync(_wrongHost);
    }

    [Fact]
    public async Task VerifyFull_refuses_a_certificate_from_another_CA()
    {
        await AssertRefusedAsync(_otherCa);
        await AssertRequireConnectsAsync(_otherCa);
    }

    private async Task AssertRefusedAsync(PostgresServer server)
    {
        await using var connection = new NpgsqlConnection(VerifyFull(server));
        var refused = await Assert.ThrowsAnyAsync<Exception>(connection.OpenAsync);
        Assert.True(refused is AuthenticationException || refused.InnerException is AuthenticationException,
            $"expected a certificate refusal, got {refused}");
    }

    /// <summary>The same server without verification: reachable, so the refusal above is the certificate's.</summary>
    private static async Task AssertRequireConnectsAsync(PostgresServer server)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { SslMode = SslMode.Require }.ConnectionString);
        await connection.OpenAsync();
    }

    /// <summary>What the stack gives the tasks, with this server's address and this test's bundle.</summary>
    private string VerifyFull(PostgresServer server) =>
        new NpgsqlConnectionStringBuilder($"Host=127.0.0.1;Port={server.Port};Database=postgres;SSL Mode=VerifyFull;Root Certificate={_bundle}")
        {
            Username = "postgres", Password = AdminPassword, Pooling = false, Timeout = 10,
        }.ConnectionString;

    private static Task<PostgresServer> StartAsync((string CertificateFile, string KeyFile) certificate) =>
        PostgresServer.StartAsync(new PostgresServerOptions { AdminPassword = AdminPassword, Tls = certificate });

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { _right, _wrongHost, _otherCa }.Where(s => s is not null))
        {
            await server.DisposeAsync();
        }
        _authority.Dispose();
        _otherAuthority.Dispose();
        _folder.Dispose();
    }
}
