using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Warehouse.Hosting;

/// <summary>Applies pending migrations when a worker starts, before any other hosted service does work.</summary>
public sealed class SchemaMigrationService(NpgsqlDataSource dataSource, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await new SchemaMigrator(dataSource).MigrateAsync(cancellationToken);
        logger.LogInformation("Warehouse schema is current ({Applied} migration(s) applied now).", applied.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
