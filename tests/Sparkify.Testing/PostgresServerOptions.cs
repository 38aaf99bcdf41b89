namespace Sparkify.Testing;

/// <summary>How a test's <see cref="PostgresServer"/> differs from the default one (trust authentication, no TLS).</summary>
public sealed record PostgresServerOptions
{
    /// <summary>SCRAM password authentication for every TCP connection; the admin connection strings carry this password.</summary>
    public string? AdminPassword { get; init; }

    /// <summary>TLS with this server certificate and key (PEM files), so that clients can verify it.</summary>
    public (string CertificateFile, string KeyFile)? Tls { get; init; }
}
