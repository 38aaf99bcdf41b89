using Microsoft.Extensions.Hosting;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// A worker's main loop. Whatever escapes it ends the process through <see cref="WorkerExit"/> (one line, non-zero
/// exit code), never through the host's own handling, which logs the error twice and exits with 0.
/// </summary>
public abstract class WorkerService(WorkerExit exit) : BackgroundService
{
    protected abstract Task RunAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (FatalWorkerException exception)
        {
            exit.GiveUp(exception.Message, exception.ExitCode);
        }
        catch (Exception exception)
        {
            exit.GiveUp(TransientFaults.Describe(exception));
        }
    }
}
