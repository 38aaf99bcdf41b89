using Npgsql;
using Sparkify.Testing;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// The workers' database role: everything a load does works under it — staging COPY, bookkeeping, temporary tables,
/// sequences, advisory locks, the star load with its ANALYZE of staging, the checks — and no DDL does.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkerRoleTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_load_of_the_real_sample_as_the_workers_role_gives_the_published_counts_and_analyses_staging()
    {
        var (owner, worker) = await MigratedDatabaseAsync();
        await using (owner)
        await using (worker)
        {
            var files = await Staging.LocalSourceFiles.FindAsync(SampleData.Folder);
            var report = await new WarehouseLoader(worker, new Staging.LoadOptions()).LoadAsync(SampleData.Folder, files);

            Assert.Equal("completed", report.Status);
            Assert.All(report.Checks, check => Assert.True(check.Passed, check.Name));
            Assert.Equal(SampleExpectations.Counts, await new WarehouseStats(worker).CountAsync());
            Assert.Equal(WorkerRole.Name, await ScalarAsync<string>(worker, "SELECT current_user"));
            // The star load's ANALYZE ran as the owner (a non-owner's is skipped with a warning).
            Assert.Equal(8056L, await ScalarAsync<long>(owner,
                "SELECT reltuples::bigint FROM pg_class WHERE oid = 'staging_events'::regclass"));
            Assert.NotNull(await ScalarAsync<object?>(owner, "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'staging_events'") as DateTime?);
        }
    }

    [Theory]
    [InlineData("CREATE TABLE intruder (id int)")]
    [InlineData("DROP TABLE songplays")]
    [InlineData("ALTER TABLE songs ADD COLUMN intruder int")]
    [InlineData("TRUNCATE songplays")]
    [InlineData("CREATE INDEX intruder ON songs (title)")]
    [InlineData("CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'")]
    [InlineData("ALTER FUNCTION analyze_staging(boolean, boolean) SECURITY INVOKER")]
    [InlineData("CREATE SCHEMA intruder")]
    [InlineData("ALTER TABLE songs OWNER TO sparkify_worker")]
    public async Task The_workers_role_is_refused_DDL(string statement)
    {
        var (owner, worker) = await MigratedDatabaseAsync();
        await using (owner)
        await using (worker)
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object?>(worker, statement));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    [Fact]
    public async Task The_grants_cover_every_table_the_migrations_create()
    {
        var (owner, worker) = await MigratedDatabaseAsync();
        await using (owner)
        await using (worker)
        {
            var tables = await ScalarAsync<string[]>(owner, "SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables WHERE schemaname = current_schema()");
            Assert.Equal(SchemaMigrator.OwnedTables.Order(StringComparer.Ordinal), tables);
            foreach (var table in tables)
            {
                Assert.True(await ScalarAsync<bool>(owner,
                    $"SELECT has_table_privilege('{WorkerRole.Name}', '{table}', 'SELECT, INSERT, UPDATE, DELETE') AND NOT has_table_privilege('{WorkerRole.Name}', '{table}', 'TRUNCATE')"),
                    table);
            }
        }
    }

    [Fact]
    public async Task Running_it_again_keeps_the_role_and_its_rights()
    {
        var (owner, worker) = await MigratedDatabaseAsync();
        await using (owner)
        await using (worker)
        {
            await WorkerRole.EnsureAsync(owner, "another-password");
            Assert.Equal(1L, await ScalarAsync<long>(owner, $"SELECT count(*) FROM pg_roles WHERE rolname = '{WorkerRole.Name}' AND rolcanlogin AND NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb"));
            Assert.StartsWith("SCRAM-SHA-256$4096:", await ScalarAsync<string>(owner, $"SELECT rolpassword FROM pg_authid WHERE rolname = '{WorkerRole.Name}'"), StringComparison.Ordinal);
            Assert.Equal(1L, await ScalarAsync<long>(worker, "SELECT count(*) FROM schema_migrations WHERE version = 1"));
        }
    }

    /// <summary>A migrated database, the workers' role made by <see cref="WorkerRole.EnsureAsync"/>, and a data source logged in as each.</summary>
    private async Task<(NpgsqlDataSource Owner, NpgsqlDataSource Worker)> MigratedDatabaseAsync()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("roles");
        var owner = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(owner).MigrateAsync();
        await WorkerRole.EnsureAsync(owner, "worker-password");
        // The test server trusts loopback logins: the role's rights are what is tested here, its password in the rotation test.
        var worker = WarehouseDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Username = WorkerRole.Name }.ConnectionString, "worker");
        return (owner, worker);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
