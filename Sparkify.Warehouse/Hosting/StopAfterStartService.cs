using Microsoft.Extensions.Hosting;

namespace Sparkify.Warehouse.Hosting;

/// <summary>Ends the host once every hosted service has started: for a worker whose only job so far is start-up work.</summary>
public sealed class StopAfterStartService(IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(lifetime.StopApplication);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
