using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Sparkify.Transform;

/// <summary>
/// Keeps ECS from stopping this task in a scale-in (or a deployment) while it has work in hand: a receiver holding a
/// group of files, or a star load. The first <see cref="Hold"/> turns task scale-in protection on through the ECS
/// agent's endpoint (<c>$ECS_AGENT_URI/task-protection/v1/state</c>, which needs no IAM permission), renewed while held;
/// once nothing has been held for <see cref="ScaleInProtectionOptions.ReleaseAfterIdleSeconds"/>, it is turned off.
/// Outside ECS (no <c>ECS_AGENT_URI</c>) it does nothing. A failing endpoint never stops the work: it is logged and
/// tried again.
/// </summary>
public sealed class ScaleInProtection(IConfiguration configuration, IOptions<ScaleInProtectionOptions> options, ILogger<ScaleInProtection> logger)
    : BackgroundService
{
    public const string AgentUriKey = "ECS_AGENT_URI";

    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly Uri? _endpoint = configuration[AgentUriKey] is { Length: > 0 } agent
        ? new Uri(agent.TrimEnd('/') + "/task-protection/v1/state")
        : null;

    private readonly SemaphoreSlim _changed = new(0);
    private int _holders;
    private long _idleSince = Environment.TickCount64;

    /// <summary>True while the agent last confirmed protection (and it has not been released since).</summary>
    public bool IsProtected { get; private set; }

    /// <summary>Work is in hand until the returned handle is disposed.</summary>
    public IDisposable Hold()
    {
        if (Interlocked.Increment(ref _holders) == 1)
        {
            _changed.Release();
        }
        return new Holder(this);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_endpoint is null)
        {
            return;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var settings = options.Value;
        var renewEvery = TimeSpan.FromMinutes(settings.ExpiresInMinutes / 2.0);
        var releaseAfter = TimeSpan.FromSeconds(settings.ReleaseAfterIdleSeconds);
        var renewAt = DateTimeOffset.MaxValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = Timeout.InfiniteTimeSpan;
                var held = Volatile.Read(ref _holders) > 0;
                if (held && (!IsProtected || DateTimeOffset.UtcNow >= renewAt))
                {
                    wait = await SetAsync(http, true, settings.ExpiresInMinutes, stoppingToken) ? renewEvery : RetryAfterFailure;
                    renewAt = DateTimeOffset.UtcNow + wait;
                }
                else if (held)
                {
                    wait = renewAt - DateTimeOffset.UtcNow;
                }
                else if (IsProtected)
                {
                    var idle = TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _idleSince));
                    wait = idle < releaseAfter ? releaseAfter - idle
                        : await SetAsync(http, false, null, stoppingToken) ? Timeout.InfiniteTimeSpan : RetryAfterFailure;
                }
                await _changed.WaitAsync(wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the task is going away, protected or not.
        }
    }

    private async Task<bool> SetAsync(HttpClient http, bool enabled, int? expiresInMinutes, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PutAsJsonAsync(_endpoint, new ProtectionRequest(enabled, expiresInMinutes), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(body.Length > 0 ? body : "{}");
            if (!response.IsSuccessStatusCode || !document.RootElement.TryGetProperty("protection", out _))
            {
                logger.LogWarning("Task scale-in protection was not {Change}: {Status} {Body}", enabled ? "set" : "released", (int)response.StatusCode, body);
                return false;
            }
            IsProtected = enabled;
            logger.LogInformation(enabled ? "Task scale-in protection on for {Minutes} minutes (work in hand)." : "Task scale-in protection released (idle).",
                expiresInMinutes);
            return true;
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Task scale-in protection was not {Change}: {Reason}", enabled ? "set" : "released", exception.Message);
            return false;
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            Interlocked.Exchange(ref _idleSince, Environment.TickCount64);
            _changed.Release();
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    private sealed class Holder(ScaleInProtection protection) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                protection.Release();
            }
        }
    }

    private sealed record ProtectionRequest(
        [property: JsonPropertyName("ProtectionEnabled")] bool ProtectionEnabled,
        [property: JsonPropertyName("ExpiresInMinutes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExpiresInMinutes);
}

/// <summary>Configuration section <c>Sparkify:Transform:ScaleInProtection</c>.</summary>
public sealed class ScaleInProtectionOptions
{
    public const string Section = "Sparkify:Transform:ScaleInProtection";

    /// <summary>How long one protection lasts (renewed at half of it while work is in hand); a hung task loses it after this.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 2880)]
    public int ExpiresInMinutes { get; set; } = 60;

    /// <summary>
    /// How long the task stays protected once idle: the receive loop drops and takes a hold around every group, and
    /// this keeps a busy task from turning protection off and on between two groups. Protection also holds back
    /// deployments, so it is short.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 3600)]
    public int ReleaseAfterIdleSeconds { get; set; } = 30;
}
