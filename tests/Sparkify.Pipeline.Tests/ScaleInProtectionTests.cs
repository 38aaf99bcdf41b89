using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sparkify.Testing;
using Sparkify.Transform;

namespace Sparkify.Pipeline.Tests;

/// <summary>The calls ScaleInProtection makes to the ECS agent's endpoint, against a stand-in of it on loopback.</summary>
public sealed class ScaleInProtectionTests
{
    private const string On = """{"ProtectionEnabled":true,"ExpiresInMinutes":60}""";
    private const string Off = """{"ProtectionEnabled":false}""";

    [Fact]
    public async Task A_hold_turns_protection_on_for_the_configured_minutes_and_its_end_turns_it_off()
    {
        await using var agent = await EcsAgentStandIn.StartAsync();
        using var protection = await StartAsync(agent.AgentUri, releaseAfterIdleSeconds: 0);

        var hold = protection.Hold();
        Assert.Equal([On], await agent.WaitForRequestsAsync(1));
        await WaitUntilAsync(() => protection.IsProtected);
        hold.Dispose();
        Assert.Equal([On, Off], await agent.WaitForRequestsAsync(2));
        await WaitUntilAsync(() => !protection.IsProtected);
        await protection.StopAsync(CancellationToken.None);
        Assert.Equal([On, Off], agent.Requests);
    }

    [Fact]
    public async Task Overlapping_holds_protect_once_and_release_after_the_last()
    {
        await using var agent = await EcsAgentStandIn.StartAsync();
        using var protection = await StartAsync(agent.AgentUri, releaseAfterIdleSeconds: 0);

        var group = protection.Hold();
        var starLoad = protection.Hold();
        await agent.WaitForRequestsAsync(1);
        await WaitUntilAsync(() => protection.IsProtected);
        group.Dispose();
        group.Dispose(); // a second dispose of the same hold changes nothing
        var third = protection.Hold();
        third.Dispose();
        Assert.True(protection.IsProtected);
        starLoad.Dispose();
        await agent.WaitForRequestsAsync(2);
        await WaitUntilAsync(() => !protection.IsProtected);
        await protection.StopAsync(CancellationToken.None);
        Assert.Equal([On, Off], agent.Requests);
    }

    [Fact]
    public async Task A_refusal_by_the_agent_is_tried_again_until_it_is_accepted()
    {
        await using var agent = await EcsAgentStandIn.StartAsync();
        agent.Failing = true;
        using var protection = await StartAsync(agent.AgentUri, releaseAfterIdleSeconds: 0);

        using var hold = protection.Hold();
        await agent.WaitForRequestsAsync(1);
        Assert.False(protection.IsProtected);
        agent.Failing = false;
        await agent.WaitForRequestsAsync(2);
        await WaitUntilAsync(() => protection.IsProtected);
        await protection.StopAsync(CancellationToken.None);
    }

    private static async Task<ScaleInProtection> StartAsync(string agentUri, int releaseAfterIdleSeconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ScaleInProtection.AgentUriKey] = agentUri }).Build();
        var protection = new ScaleInProtection(configuration,
            Options.Create(new ScaleInProtectionOptions { ExpiresInMinutes = 60, ReleaseAfterIdleSeconds = releaseAfterIdleSeconds }),
            NullLogger<ScaleInProtection>.Instance);
        await protection.StartAsync(CancellationToken.None);
        return protection;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(30), "the condition was not reached within 30 s");
            await Task.Delay(20);
        }
    }
}
