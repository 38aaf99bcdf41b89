using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sparkify.Testing;

/// <summary>
/// A certificate authority made for one test run, and server certificates it signs, written as PEM files into a
/// folder: what a test's PostgreSQL presents and what its clients verify with <c>SSL Mode=VerifyFull</c>.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly X509Certificate2 _authority;

    public TestCertificates(string name = "Sparkify test CA")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        AuthorityFile = Path.Combine(_folder.Path, "ca.pem");
        File.WriteAllText(AuthorityFile, _authority.ExportCertificatePem() + "\n");
    }

    /// <summary>The CA's certificate (PEM): the bundle a client trusts.</summary>
    public string AuthorityFile { get; }

    /// <summary>A server certificate for the given host names or IP addresses, signed by this CA: its PEM certificate and key files.</summary>
    public (string CertificateFile, string KeyFile) IssueServer(string fileName, params string[] hosts)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(_authority, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        var certificateFile = Path.Combine(_folder.Path, fileName + ".crt");
        var keyFile = Path.Combine(_folder.Path, fileName + ".key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificateFile, keyFile);
    }

    /// <summary>A bundle file holding several CAs' certificates, as the RDS bundle does.</summary>
    public static string Bundle(string path, params TestCertificates[] authorities)
    {
        File.WriteAllText(path, string.Concat(authorities.Select(a => File.ReadAllText(a.AuthorityFile))));
        return path;
    }

    public void Dispose()
    {
        _authority.Dispose();
        _folder.Dispose();
    }
}
