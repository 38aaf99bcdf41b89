using Npgsql;
using Sparkify.Testing;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Warehouse.IntegrationTests;

[Collection(PostgresCollection.Name)]
public sealed class MigrationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Migrations_apply_once_even_when_callers_race()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync("migrations"));
        var migrator = new SchemaMigrator(dataSource);

        var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => migrator.MigrateAsync()));

        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), applied.Single(a => a.Count > 0));
        Assert.Equal(3, applied.Count(a => a.Count == 0));
        Assert.Empty(await migrator.MigrateAsync());
    }

    [Fact]
    public async Task Drop_removes_the_data_and_migrate_recreates_empty_tables()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await warehouse.LoadFolderAsync(SampleData.Folder);
        var migrator = new SchemaMigrator(warehouse.DataSource);

        await migrator.DropAllAsync();
        await migrator.MigrateAsync();

        Assert.All(await warehouse.CountsAsync(), count => Assert.Equal(0L, count.Value));
    }

    [Fact]
    public async Task An_applied_migration_that_was_edited_is_refused()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await warehouse.ScalarAsync<object>("UPDATE schema_migrations SET checksum = 'edited' RETURNING NULL");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new SchemaMigrator(warehouse.DataSource).MigrateAsync());

        Assert.Contains("was changed after it was applied", error.Message, StringComparison.Ordinal);
    }
}
