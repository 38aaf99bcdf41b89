using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// The workers' one retry mechanism (Polly): waiting out a dependency that is away (the database restarting, S3/SQS
/// unreachable) with exponential backoff, one log line per failed attempt and the heartbeat kept alive meanwhile; and
/// the same backoff for loops that count their own failures. A failure that is not transient (see
/// <see cref="TransientFaults"/>) is not retried.
/// </summary>
public sealed class DependencyRetry(WorkerHeartbeat heartbeat, IOptions<RetryOptions> options, ILogger<DependencyRetry> logger)
{
    private TimeSpan FirstDelay => TimeSpan.FromSeconds(options.Value.FirstDelaySeconds);
    private TimeSpan MaxDelay => TimeSpan.FromSeconds(options.Value.MaxDelaySeconds);

    /// <summary>The wait after <paramref name="failuresInARow"/> failures: the first delay, doubled each time, at most the maximum.</summary>
    public TimeSpan BackoffAfter(int failuresInARow) =>
        TimeSpan.FromSeconds(Math.Min(MaxDelay.TotalSeconds, FirstDelay.TotalSeconds * Math.Pow(2, Math.Clamp(failuresInARow, 1, 20) - 1)));

    public async Task<T> WaitForAsync<T>(string dependency, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var pipeline = new ResiliencePipelineBuilder<T>()
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = new PredicateBuilder<T>().Handle<Exception>(e => !cancellationToken.IsCancellationRequested && TransientFaults.IsTransient(e)),
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = arguments => ValueTask.FromResult<TimeSpan?>(BackoffAfter(arguments.AttemptNumber + 1)),
                OnRetry = arguments =>
                {
                    heartbeat.Beat();
                    logger.LogWarning("Waiting for {Dependency} (attempt {Attempt} failed: {Reason}); retrying in {Delay:F0} s.",
                        dependency, arguments.AttemptNumber + 1, arguments.Outcome.Exception is { } e ? TransientFaults.Describe(e) : "no result",
                        arguments.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        return await pipeline.ExecuteAsync(async token =>
        {
            heartbeat.Beat();
            return await attempt(token);
        }, cancellationToken);
    }
}
