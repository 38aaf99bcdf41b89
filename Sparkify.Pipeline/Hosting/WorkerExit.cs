using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// The one way a worker gives up: one critical log line saying why, a non-zero exit code, and the host stopped. The
/// first reason wins; later ones (the consequences) are not logged again.
/// </summary>
public sealed class WorkerExit(IHostApplicationLifetime lifetime, IHostEnvironment environment, ILogger<WorkerExit> logger)
{
    private int _code;

    public int Code => Volatile.Read(ref _code);

    public void GiveUp(string reason, int code = WorkerExitCodes.GaveUp)
    {
        if (Interlocked.CompareExchange(ref _code, code, WorkerExitCodes.Success) == WorkerExitCodes.Success)
        {
            logger.LogCritical("{Application} gives up (exit code {ExitCode}): {Reason}", environment.ApplicationName, code, reason);
        }
        lifetime.StopApplication();
    }
}
