namespace Sparkify.Pipeline.Hosting;

/// <summary>How a worker process ends, for the scheduler (ECS, the AppHost) and for people reading its status.</summary>
public static class WorkerExitCodes
{
    /// <summary>Done (once mode) or stopped on request (SIGTERM), having drained.</summary>
    public const int Success = 0;

    /// <summary>Gave up at run time: errors that retrying did not cure.</summary>
    public const int GaveUp = 1;

    /// <summary>Refused to start: the configuration, the queue or the schema is not what this worker needs.</summary>
    public const int Misconfigured = 2;
}
