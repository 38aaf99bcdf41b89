using Npgsql;
using Sparkify.DevTools.DemoData;
using Sparkify.Testing;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Pipeline.IntegrationTests.FaultInjection;

/// <summary>
/// The workers as they run on ECS, as processes: logged in as the workers' role with a password they read again for
/// new connections (and that is rotated under them), and protecting their task from scale-in while they hold work.
/// </summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class DeployedWorkerTests : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Healed = TimeSpan.FromSeconds(150);
    private const string AdminPassword = "rotation-test-admin";

    private readonly TempFolder _data = new();
    private readonly TempFolder _secrets = new();
    private ProcessPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        await DemoDataGenerator.WriteAsync(_data.Path, new GeneratorOptions(Songs: 600, Events: 60_000, Days: 20));
        // Password authentication, so that a changed password really locks the old one out.
        _pipeline = await ProcessPipeline.CreateAsync(_data.Path, new PostgresServerOptions { AdminPassword = AdminPassword });
        // What the migration task does: the owner migrates, and creates the workers' role with the secret's password.
        await new SchemaMigrator(_pipeline.DataSource).MigrateAsync();
        await WorkerRole.EnsureAsync(_pipeline.DataSource, "first-worker-password");
        _secrets.Write("password", "first-worker-password");
    }

    public async Task DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        _data.Dispose();
        _secrets.Dispose();
    }

    [Fact]
    public async Task The_workers_keep_loading_when_their_password_is_rotated_under_them()
    {
        var clean = await _pipeline.CleanRunAsync(_data.Path);
        var transform = _pipeline.StartTransform(overrides: AsTheWorkersRole());
        _pipeline.StartIngest(AsTheWorkersRole());
        await _pipeline.WaitUntilAsync("SELECT EXISTS (SELECT FROM load_files) AND EXISTS (SELECT FROM batch_files WHERE state = 'queued')",
            Soon, "part of the batch staged");
        Assert.True(await _pipeline.ScalarAsync<bool>($"SELECT EXISTS (SELECT FROM pg_stat_activity WHERE usename = '{WorkerRole.Name}')"));

        // Single-user rotation: the role's password changes first, the secret a moment later (new connections in between
        // are refused and waited out). Then the open connections end, as they do when the database restarts: every
        // connection from here on needs the new password.
        await WorkerRole.EnsureAsync(_pipeline.DataSource, "second-worker-password");
        _secrets.Write("password", "second-worker-password");
        await _pipeline.ScalarAsync<object?>($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '{WorkerRole.Name}'");

        await _pipeline.WaitForBatchesToEndAsync(Healed);
        await _pipeline.AssertEveryFileLoadedOnceAsync();
        Assert.Equal(clean.ToString(), (await WarehouseSnapshot.TakeAsync(_pipeline.DataSource)).ToString());
        Assert.False(transform.HasExited, _pipeline.Diagnostics());
        Assert.True(await _pipeline.ScalarAsync<bool>($"SELECT EXISTS (SELECT FROM pg_stat_activity WHERE usename = '{WorkerRole.Name}')"),
            "the Transform reconnected with the new password");
        var refused = await Assert.ThrowsAsync<PostgresException>(() => OpenAsWorkerAsync("first-worker-password"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }

    [Fact]
    public async Task A_transform_protects_its_task_from_scale_in_while_it_loads_and_releases_it_when_idle()
    {
        await using var agent = await EcsAgentStandIn.StartAsync();
        var environment = new Dictionary<string, string>(AsTheWorkersRole())
        {
            ["ECS_AGENT_URI"] = agent.AgentUri,
            ["Sparkify__Transform__ScaleInProtection__ReleaseAfterIdleSeconds"] = "2",
        };
        _pipeline.StartTransform(overrides: environment);
        _pipeline.StartIngest(AsTheWorkersRole());

        await _pipeline.WaitForBatchesToEndAsync(Healed);
        await _pipeline.AssertEveryFileLoadedOnceAsync();
        var requests = await agent.WaitForRequestsAsync(2, Soon);
        Assert.Equal(["""{"ProtectionEnabled":true,"ExpiresInMinutes":60}""", """{"ProtectionEnabled":false}"""], requests);
        // Protected from the first group received (seconds before the star load was claimed) until after the star
        // load committed, released once idle.
        var (opened, claimed, completed) = (await _pipeline.ScalarAsync<DateTime>("SELECT min(created_at) FROM batches"),
            await _pipeline.ScalarAsync<DateTime>("SELECT min(star_claimed_at) FROM batches"),
            await _pipeline.ScalarAsync<DateTime>("SELECT max(completed_at) FROM batches"));
        Assert.InRange(agent.Arrivals[0], Utc(opened), Utc(claimed));
        Assert.True(agent.Arrivals[1] > Utc(completed), $"released at {agent.Arrivals[1]:O}, the batch completed at {completed:O}");
    }

    [Fact]
    public async Task A_transform_that_takes_over_a_star_load_protects_its_task_while_it_runs_it()
    {
        var crashed = _pipeline.StartTransform(overrides: AsTheWorkersRole());
        _pipeline.StartIngest(AsTheWorkersRole());
        await _pipeline.WaitUntilAsync("SELECT EXISTS (SELECT FROM batches WHERE status = 'loading_star')", Soon, "the star load claimed");
        await crashed.KillAsync();

        // Every message is settled: the one that finishes the batch receives nothing, and protects itself for the star load alone.
        await using var agent = await EcsAgentStandIn.StartAsync();
        _pipeline.StartTransform(overrides: new Dictionary<string, string>(AsTheWorkersRole())
        {
            ["ECS_AGENT_URI"] = agent.AgentUri,
            ["Sparkify__Transform__ScaleInProtection__ReleaseAfterIdleSeconds"] = "2",
        });
        await _pipeline.WaitForBatchesToEndAsync(Healed);
        await _pipeline.AssertEveryFileLoadedOnceAsync();
        var requests = await agent.WaitForRequestsAsync(2, Soon);
        Assert.Equal(["""{"ProtectionEnabled":true,"ExpiresInMinutes":60}""", """{"ProtectionEnabled":false}"""], requests);
        var completed = await _pipeline.ScalarAsync<DateTime>("SELECT max(completed_at) FROM batches");
        Assert.True(agent.Arrivals[1] > Utc(completed), $"released at {agent.Arrivals[1]:O}, the batch completed at {completed:O}");
    }

    private static DateTimeOffset Utc(DateTime time) => new(time, TimeSpan.Zero);

    /// <summary>The settings the task definitions give the workers, with the password from a file instead of Secrets Manager.</summary>
    private Dictionary<string, string> AsTheWorkersRole() => new()
    {
        ["ConnectionStrings__warehouse"] = new NpgsqlConnectionStringBuilder(_pipeline.ConnectionString) { Username = WorkerRole.Name, Password = null }.ConnectionString,
        ["Sparkify__Warehouse__PasswordFile"] = Path.Combine(_secrets.Path, "password"),
        ["Sparkify__Warehouse__PasswordMaxAgeSeconds"] = "1",
        ["Sparkify__MigrateAtStart"] = "false",
    };

    private async Task OpenAsWorkerAsync(string password)
    {
        var builder = new NpgsqlConnectionStringBuilder(_pipeline.ConnectionString) { Username = WorkerRole.Name, Password = password, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
    }
}
