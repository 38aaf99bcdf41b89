namespace Sparkify.Pipeline;

/// <summary>
/// The one definition of the worker settings that the AppHost (local queues), the CDK app (queues and task
/// definitions) and the workers' own options must agree on. A queue's RedrivePolicy and the Transform's MaxReceives
/// in particular have to be the same number.
/// </summary>
public static class WorkerDefaults
{
    public const string QueueName = "sparkify-files";

    /// <summary>Receives before the queue dead-letters a message; also the Transform's MaxReceives.</summary>
    public const int MaxReceives = 3;

    public const int VisibilityTimeoutSeconds = 60;
    /// <summary>A star-load claim older than this is taken over (see <see cref="StarLoadTimings"/>).</summary>
    public const int StarLoadTakeoverSeconds = 900;

    /// <summary>The longest a whole star load (with its checks) may run before it is cancelled and its claim released.</summary>
    public const int StarLoadDeadlineSeconds = 840;

    /// <summary>The longest one statement of a star load may run (the server's statement_timeout).</summary>
    public const int StarLoadTimeoutSeconds = 840;
    public const int TransformReceivers = 2;
}
