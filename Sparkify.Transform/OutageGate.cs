using Sparkify.Pipeline.Hosting;

namespace Sparkify.Transform;

/// <summary>
/// While a dependency the work needs is away (the database, S3), no receiver of this instance receives: each receive
/// would only spend messages' receives on work that cannot succeed. The first receiver to meet the outage asks the
/// dependency until it answers; the others wait on the same question.
/// </summary>
public sealed class OutageGate(DependencyRetry retry, ILogger<OutageGate> logger)
{
    private readonly Lock _lock = new();
    private Task? _outage;

    /// <summary>Returns at once when no outage is known, or when the one known has ended.</summary>
    public Task WhileClosedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _outage is { IsCompleted: false } outage ? outage.WaitAsync(cancellationToken) : Task.CompletedTask;
        }
    }

    /// <summary>Closes the gate until <paramref name="answers"/> succeeds (or joins the outage already known) and waits for that.</summary>
    public Task WaitForAsync(string dependency, Func<CancellationToken, Task<bool>> answers, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_outage is not { IsCompleted: false })
            {
                _outage = AskUntilAnsweredAsync(dependency, answers, cancellationToken);
            }
            return _outage.WaitAsync(cancellationToken);
        }
    }

    private async Task AskUntilAnsweredAsync(string dependency, Func<CancellationToken, Task<bool>> answers, CancellationToken cancellationToken)
    {
        await retry.WaitForAsync(dependency, answers, cancellationToken);
        logger.LogInformation("{Dependency} answers again; receiving.", dependency);
    }
}
