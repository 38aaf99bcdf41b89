namespace Sparkify.Pipeline.Hosting;

/// <summary>A condition no retry cures (a wrong queue policy, a schema too old): the worker says why in one line and exits non-zero.</summary>
public sealed class FatalWorkerException(string message, int exitCode = WorkerExitCodes.Misconfigured) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
