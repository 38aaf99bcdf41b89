using Amazon.CDK;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The file queue and its dead-letter queue: encrypted, TLS only, the RedrivePolicy's maxReceiveCount the same number
/// the Transform is given, and a redrive-allow policy that admits the file queue alone as a source of dead letters.
/// </summary>
internal sealed class FileQueues
{
    public FileQueues(Construct scope, DeploySettings settings) =>
        // The same maxReceiveCount the Transform gets as Sparkify__Transform__MaxReceives.
        (Files, DeadLetters) = RedrivenQueue.Create(scope, "Files", "DeadLetters", "-files",
            Duration.Seconds(settings.VisibilityTimeoutSeconds), settings.MaxReceives);

    public Queue Files { get; }

    public Queue DeadLetters { get; }
}
