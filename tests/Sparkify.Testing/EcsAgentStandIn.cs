using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sparkify.Testing;

/// <summary>
/// A stand-in for the ECS agent's task-protection endpoint on a free loopback port: records every request body and
/// answers as the agent does (<c>{"protection":{…}}</c>), or with a failure while <see cref="Failing"/> is set.
/// </summary>
public sealed class EcsAgentStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(DateTimeOffset At, string Body)> _requests = new();

    private EcsAgentStandIn(WebApplication app) => _app = app;

    /// <summary>What to give a container as <c>ECS_AGENT_URI</c>.</summary>
    public string AgentUri { get; private set; } = "";

    /// <summary>Answer the next requests with the agent's failure document.</summary>
    public bool Failing { get; set; }

    /// <summary>The request bodies in arrival order (method and path checked on arrival).</summary>
    public IReadOnlyList<string> Requests => [.. _requests.Select(r => r.Body)];

    /// <summary>When each request arrived.</summary>
    public IReadOnlyList<DateTimeOffset> Arrivals => [.. _requests.Select(r => r.At)];

    public static async Task<EcsAgentStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new EcsAgentStandIn(app);
        app.MapMethods("/v4/task-id/task-protection/v1/state", ["PUT"], async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            standIn._requests.Enqueue((DateTimeOffset.UtcNow, await reader.ReadToEndAsync()));
            return standIn.Failing
                ? Results.Json(new { failure = new { Arn = "arn:aws:ecs:us-east-1:000000000000:task/c/t", Reason = "TASK_NOT_VALID", Detail = "stand-in" } })
                : Results.Json(new { protection = new { ProtectionEnabled = true, TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/c/t" } });
        });
        app.MapFallback((HttpContext context) => Results.StatusCode(404));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn.AgentUri = address.TrimEnd('/') + "/v4/task-id";
        return standIn;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived.</summary>
    public async Task<IReadOnlyList<string>> WaitForRequestsAsync(int count, TimeSpan? timeout = null)
    {
        var limit = Stopwatch.StartNew();
        while (_requests.Count < count)
        {
            if (limit.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"{_requests.Count} of {count} protection requests arrived: {string.Join(" ", _requests)}");
            }
            await Task.Delay(20);
        }
        return Requests;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
