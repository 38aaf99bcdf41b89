using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Sparkify.Pipeline.Tests;

public sealed class OwnOperationsSamplerTests
{
    private static readonly Sampler Sampler = OwnOperationsSampler.Create();

    [Theory]
    [InlineData("POST")]
    [InlineData("postgresql")]
    public void A_client_call_without_a_parent_starts_no_trace(string name) =>
        Assert.Equal(SamplingDecision.Drop, Decide(default, name, ActivityKind.Client));

    [Theory]
    [InlineData("scan", ActivityKind.Internal)]
    [InlineData("transform stage files", ActivityKind.Consumer)]
    [InlineData("publish", ActivityKind.Producer)]
    [InlineData("GET /", ActivityKind.Server)]
    public void An_operation_of_its_own_starts_a_trace(string name, ActivityKind kind) =>
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(default, name, kind));

    [Fact]
    public void A_client_call_inside_an_operation_is_kept()
    {
        var operation = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(operation, "POST", ActivityKind.Client));
    }

    private static SamplingDecision Decide(ActivityContext parent, string name, ActivityKind kind) =>
        Sampler.ShouldSample(new SamplingParameters(parent, parent == default ? ActivityTraceId.CreateRandom() : parent.TraceId, name, kind))
            .Decision;
}
