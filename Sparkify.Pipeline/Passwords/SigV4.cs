using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace Sparkify.Pipeline.Passwords;

/// <summary>
/// AWS Signature Version 4 for one HTTP request the SDK has no client for here (Secrets Manager's is not served by the
/// package mirror): the canonical request is composed here, the key derivation and signature are the SDK's own
/// (<see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>).
/// </summary>
public static class SigV4
{
    /// <summary>The canonical request: method, path, query, the headers (lower-case names, sorted), their names, the payload's hash.</summary>
    public static string CanonicalRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers, string payloadSha256)
    {
        var sorted = headers.Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim())).OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append(path).Append('\n').Append(query).Append('\n');
        foreach (var (name, value) in sorted)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
        builder.Append('\n').Append(SignedHeaders(headers)).Append('\n').Append(payloadSha256);
        return builder.ToString();
    }

    public static string SignedHeaders(IReadOnlyDictionary<string, string> headers) =>
        string.Join(';', headers.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal));

    public static string Sha256Hex(byte[] payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    /// <summary>The Authorization header's value for a request with these headers (which must include host and x-amz-date).</summary>
    public static string Authorization(ImmutableCredentials credentials, string region, string service, DateTime signedAt, string method, string path,
        string query, IReadOnlyDictionary<string, string> headers, byte[] payload) =>
        AWS4Signer.ComputeSignature(credentials.AccessKey, credentials.SecretKey, region, signedAt, service, SignedHeaders(headers),
            CanonicalRequest(method, path, query, headers, Sha256Hex(payload))).ForAuthorizationHeader;
}
