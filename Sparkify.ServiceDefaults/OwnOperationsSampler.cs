using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Starts traces only for the services' own operations: a client call (an HTTP request such as an SQS long poll, an
/// SQL command such as an idle check) with no parent span is not recorded, so an idle worker fills no trace list. The
/// same calls inside an operation (a scan, a group of files staged, a star load) are kept, as its children. Client
/// calls are still counted by the HTTP and Npgsql metrics.
/// </summary>
public static class OwnOperationsSampler
{
    public static Sampler Create() => new ParentBasedSampler(new NoClientRoots());

    private sealed class NoClientRoots : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }
}
