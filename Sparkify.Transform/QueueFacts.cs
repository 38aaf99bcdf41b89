namespace Sparkify.Transform;

/// <summary>What the file queue's attributes said at start (see <see cref="QueueRedriveCheck"/>).</summary>
public sealed class QueueFacts
{
    /// <summary>How long SQS keeps a message (4 days unless the queue says otherwise).</summary>
    public int MessageRetentionSeconds { get; set; } = 345_600;
}
