using Xunit;

namespace Sparkify.Testing;

/// <summary>One fauxqs per test run; tests keep apart by using their own bucket and queue names.</summary>
public sealed class FauxqsFixture : IAsyncLifetime
{
    private FauxqsServer? _server;

    public FauxqsServer Server => _server ?? throw new InvalidOperationException("The fauxqs fixture has not started.");

    public async Task InitializeAsync()
    {
        // The AWS SDK's standard chain reads these; fauxqs accepts any credentials.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "local");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local");
        _server = await FauxqsServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
