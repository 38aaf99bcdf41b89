using System.Net;
using System.Net.Sockets;
using Sparkify.Testing;

namespace Sparkify.Cli.Tests;

/// <summary>
/// A command that cannot get to S3 or the database — no credentials, no region, nothing listening — says so in one
/// line and exits non-zero, with no stack trace; `generate` says it before writing any data.
/// </summary>
public sealed class UnreachableServiceTests : IDisposable
{
    private readonly TempFolder _home = new();

    /// <summary>No AWS credentials anywhere: not in the environment, no profile in an empty home, no instance metadata.</summary>
    private Dictionary<string, string?> NoAwsCredentials(string? region) => new()
    {
        ["HOME"] = _home.Path,
        ["AWS_ACCESS_KEY_ID"] = null, ["AWS_SECRET_ACCESS_KEY"] = null, ["AWS_SESSION_TOKEN"] = null, ["AWS_PROFILE"] = null,
        ["AWS_REGION"] = region, ["AWS_DEFAULT_REGION"] = null,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    [Fact]
    public async Task Generate_to_s3_without_credentials_is_one_line_and_exit_2()
    {
        var result = await SparkifyProcess.RunAsync(NoAwsCredentials("us-east-1"), "generate", "s3://sparkify-bucket/raw", "--songs", "1", "--events", "1");

        AssertOneErrorLine(result, ExitCodes.UsageError, "no AWS credentials for S3");
    }

    [Fact]
    public async Task Generate_to_s3_without_a_region_is_one_line_and_exit_2()
    {
        var environment = NoAwsCredentials(region: null);
        environment["AWS_ACCESS_KEY_ID"] = "someone";
        environment["AWS_SECRET_ACCESS_KEY"] = "secret";

        var result = await SparkifyProcess.RunAsync(environment, "generate", "s3://sparkify-bucket/raw", "--songs", "1", "--events", "1");

        AssertOneErrorLine(result, ExitCodes.UsageError, "no AWS region for S3");
    }

    [Fact]
    public async Task Generate_to_an_endpoint_nobody_listens_on_is_one_line_and_exit_3()
    {
        var environment = NoAwsCredentials("us-east-1");
        environment["AWS_ACCESS_KEY_ID"] = "someone";
        environment["AWS_SECRET_ACCESS_KEY"] = "secret";
        var endpoint = $"http://127.0.0.1:{FreePort()}";

        var result = await SparkifyProcess.RunAsync(environment, "generate", "s3://sparkify-bucket/raw", "--songs", "1", "--events", "1",
            "--s3-service-url", endpoint);

        AssertOneErrorLine(result, ExitCodes.ServiceError, $"cannot reach S3 at {endpoint} for s3://sparkify-bucket/raw/: Connection refused");
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("check")]
    [InlineData("report")]
    [InlineData("create-tables")]
    [InlineData("load", "")]
    public async Task A_database_that_refuses_the_connection_is_one_line_and_exit_3(params string[] args)
    {
        args = [.. args.Select(a => a.Length == 0 ? SampleData.Folder : a)];
        var result = await Sparkify.RunAsync([.. args, "--connection", $"Host=127.0.0.1;Port={FreePort()};Username=nobody;Timeout=5"]);

        Assert.Equal(ExitCodes.ServiceError, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("database error:", StringComparison.Ordinal));
        Assert.Contains("Connection refused", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    internal static void AssertOneErrorLine(Sparkify.Result result, int exitCode, string expected)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.Error}");
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => _home.Dispose();
}
