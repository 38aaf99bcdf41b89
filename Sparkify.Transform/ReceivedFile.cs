using Amazon.SQS.Model;
using Sparkify.Pipeline;

namespace Sparkify.Transform;

/// <summary>A received message and the file it names.</summary>
internal sealed record ReceivedFile(Message Message, FileMessage File)
{
    public int ReceiveCount =>
        Message.Attributes is { } attributes && attributes.TryGetValue("ApproximateReceiveCount", out var count)
            && int.TryParse(count, out var value) ? value : 1;

    public DateTimeOffset? SentAt =>
        Message.Attributes is { } attributes && attributes.TryGetValue("SentTimestamp", out var sent)
            && long.TryParse(sent, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
