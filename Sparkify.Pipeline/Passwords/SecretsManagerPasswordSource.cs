using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;

namespace Sparkify.Pipeline.Passwords;

/// <summary>
/// The <c>password</c> field of a Secrets Manager secret's current version (the JSON that RDS and its rotation
/// functions write), read with <c>secretsmanager:GetSecretValue</c> over the service's JSON protocol, signed with the
/// credentials of the standard AWS chain (on ECS, the task role).
/// </summary>
public sealed class SecretsManagerPasswordSource(string secretId, string region, Func<CancellationToken, Task<ImmutableCredentials>> credentials,
    HttpClient http, Uri? endpoint = null) : IPasswordSource
{
    private const string Service = "secretsmanager";

    private readonly Uri _endpoint = endpoint ?? new Uri($"https://{Service}.{region}.amazonaws.com/");

    public string Description => $"the Secrets Manager secret {secretId}";

    public async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        var current = await credentials(cancellationToken);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["SecretId"] = secretId });
        var signedAt = DateTime.UtcNow;
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}",
            ["x-amz-date"] = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            ["x-amz-target"] = "secretsmanager.GetSecretValue",
        };
        if (current.UseToken)
        {
            headers["x-amz-security-token"] = current.Token;
        }
        var authorization = SigV4.Authorization(current, region, Service, signedAt, "POST", "/", "", headers, payload);

        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        foreach (var (name, value) in headers.Where(h => h.Key is not ("content-type" or "host")))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The error document names the problem (AccessDeniedException, ResourceNotFoundException, …), never the secret.
            throw new HttpRequestException($"GetSecretValue of {secretId} failed: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }
        using var document = JsonDocument.Parse(body);
        var secretString = document.RootElement.GetProperty("SecretString").GetString()
            ?? throw new InvalidOperationException($"the secret {secretId} has no SecretString");
        using var secret = JsonDocument.Parse(secretString);
        return secret.RootElement.GetProperty("password").GetString()
            ?? throw new InvalidOperationException($"the secret {secretId} has no password field");
    }
}
