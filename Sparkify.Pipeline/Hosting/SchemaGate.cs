using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// Before any work: migrates the warehouse schema (<see cref="WorkerHostOptions.MigrateAtStart"/>) or checks that it
/// is at least as new as this worker needs, waiting for the database while it is unreachable. A schema that is too
/// old (after <see cref="WorkerHostOptions.SchemaWaitSeconds"/>), or a migration edited after it was applied, stops
/// the worker with a clear message.
/// </summary>
public sealed class SchemaGate(
    NpgsqlDataSource dataSource, DependencyRetry retry, WorkerHeartbeat heartbeat, IOptions<WorkerHostOptions> options, ILogger<SchemaGate> logger)
    : IHostedService
{
    private static readonly TimeSpan SchemaPollInterval = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var migrator = new SchemaMigrator(dataSource);
        try
        {
            if (options.Value.MigrateAtStart)
            {
                var applied = await retry.WaitForAsync("the warehouse database", migrator.MigrateAsync, cancellationToken);
                logger.LogInformation("Warehouse schema is current ({Applied} migration(s) applied now).", applied.Count);
                return;
            }
            var waitUntil = DateTimeOffset.UtcNow.AddSeconds(options.Value.SchemaWaitSeconds);
            var state = await retry.WaitForAsync("the warehouse database", migrator.CheckAsync, cancellationToken);
            while (state.Missing.Count > 0)
            {
                var problem = $"the warehouse schema lacks migration(s) {string.Join(", ", state.Missing)} that this worker needs " +
                              "(migrations at start are off): run the migration task, `sparkify create-tables`";
                if (DateTimeOffset.UtcNow >= waitUntil)
                {
                    throw new FatalWorkerException(problem + ", first.");
                }
                logger.LogWarning("Waiting for the schema: {Problem}.", problem);
                heartbeat.Beat();
                await Task.Delay(SchemaPollInterval, cancellationToken);
                state = await retry.WaitForAsync("the warehouse database", migrator.CheckAsync, cancellationToken);
            }
            logger.LogInformation("Warehouse schema is at version {Version}, as this worker needs (migrations at start are off).", state.Version);
        }
        catch (InvalidOperationException exception)
        {
            throw new FatalWorkerException(exception.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
