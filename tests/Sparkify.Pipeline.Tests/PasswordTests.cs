using System.Collections.Concurrent;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sparkify.Pipeline.Passwords;

namespace Sparkify.Pipeline.Tests;

/// <summary>How the workers read their rotated database password: the signed Secrets Manager call, and the reuse window.</summary>
public sealed class PasswordTests
{
    [Fact]
    public void The_signature_matches_the_example_in_the_AWS_documentation()
    {
        // AWS's Signature Version 4 example: IAM ListUsers, 2015-08-30T12:36:00Z, the documentation's example keys.
        var headers = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8", ["Host"] = "iam.amazonaws.com", ["X-Amz-Date"] = "20150830T123600Z",
        };
        var canonical = SigV4.CanonicalRequest("GET", "/", "Action=ListUsers&Version=2010-05-08", headers, SigV4.Sha256Hex([]));
        Assert.Equal("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", SigV4.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(canonical)));
        var authorization = SigV4.Authorization(new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null), "us-east-1", "iam",
            new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc), "GET", "/", "Action=ListUsers&Version=2010-05-08", headers, []);
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, " +
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", authorization);
    }

    [Fact]
    public async Task The_password_is_the_secret_s_password_field_read_with_a_signed_GetSecretValue()
    {
        var requests = new ConcurrentQueue<(IHeaderDictionary Headers, string Body, string Method, string Path)>();
        await using var secretsManager = await StartStandInAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            // Copied: the request's own header collection is reused once the request ends.
            requests.Enqueue((new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)), await reader.ReadToEndAsync(),
                context.Request.Method, context.Request.Path));
            return Results.Text("""{"ARN":"arn:aws:secretsmanager:eu-west-1:000000000000:secret:w-AbCdEf","Name":"w","SecretString":"{\"username\":\"sparkify_worker\",\"password\":\"s3cr3t-1\",\"host\":\"db\"}","VersionStages":["AWSCURRENT"]}""",
                "application/x-amz-json-1.1");
        });
        var credentials = new ImmutableCredentials("AKIDLOCAL", "local-secret", "session-token");
        using var http = new HttpClient();
        var source = new SecretsManagerPasswordSource("arn:aws:secretsmanager:eu-west-1:000000000000:secret:w-AbCdEf", "eu-west-1",
            _ => Task.FromResult(credentials), http, secretsManager.Endpoint);

        Assert.Equal("s3cr3t-1", await source.ReadAsync(CancellationToken.None));

        var (headers, body, method, path) = Assert.Single(requests);
        Assert.Equal(("POST", "/"), (method, path));
        Assert.Equal("""{"SecretId":"arn:aws:secretsmanager:eu-west-1:000000000000:secret:w-AbCdEf"}""", body);
        Assert.Equal("secretsmanager.GetSecretValue", headers["X-Amz-Target"].ToString());
        Assert.Equal("application/x-amz-json-1.1", headers.ContentType.ToString());
        Assert.Equal("session-token", headers["X-Amz-Security-Token"].ToString());
        // The signature covers the headers exactly as they arrived.
        var signed = new Dictionary<string, string>
        {
            ["content-type"] = headers.ContentType.ToString(), ["host"] = headers.Host.ToString(), ["x-amz-date"] = headers["X-Amz-Date"].ToString(),
            ["x-amz-security-token"] = headers["X-Amz-Security-Token"].ToString(), ["x-amz-target"] = headers["X-Amz-Target"].ToString(),
        };
        var signedAt = DateTime.ParseExact(headers["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.Equal(SigV4.Authorization(credentials, "eu-west-1", "secretsmanager", signedAt, "POST", "/", "", signed, System.Text.Encoding.UTF8.GetBytes(body)),
            headers.Authorization.ToString());
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDLOCAL/{signedAt:yyyyMMdd}/eu-west-1/secretsmanager/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=", headers.Authorization.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_names_the_error_and_never_a_password()
    {
        await using var secretsManager = await StartStandInAsync(_ => Task.FromResult(
            Results.Text("""{"__type":"AccessDeniedException","Message":"not authorized to perform secretsmanager:GetSecretValue"}""", "application/x-amz-json-1.1", statusCode: 400)));
        using var http = new HttpClient();
        var source = new SecretsManagerPasswordSource("w", "eu-west-1", _ => Task.FromResult(new ImmutableCredentials("A", "B", null)), http, secretsManager.Endpoint);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => source.ReadAsync(CancellationToken.None));
        Assert.Contains("AccessDeniedException", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_password_serves_new_connections_until_it_is_older_than_the_maximum_age()
    {
        using var folder = new TempFolderForPasswords();
        var file = folder.Write("first");
        var time = new ManualTime();
        var password = new RotatingPassword(new FilePasswordSource(file), TimeSpan.FromSeconds(30), time);

        Assert.Equal("first", await password.GetAsync(CancellationToken.None));
        folder.Write("second\n");
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("first", await password.GetAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("second", await password.GetAsync(CancellationToken.None));
        Assert.Equal(2, password.Reads);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private sealed class TempFolderForPasswords : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("sparkify-password-").FullName;

        public string Write(string content)
        {
            var file = Path.Combine(_folder, "password");
            File.WriteAllText(file, content);
            return file;
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }

    private sealed class StandIn(WebApplication app, Uri endpoint) : IAsyncDisposable
    {
        public Uri Endpoint { get; } = endpoint;

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    private static async Task<StandIn> StartStandInAsync(Func<HttpContext, Task<IResult>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/", answer);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new StandIn(app, new Uri(address + "/"));
    }
}
