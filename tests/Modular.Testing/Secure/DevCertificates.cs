using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Modular.Testing.Secure;

/// <summary>
/// A throw-away certificate authority made in memory (ECDSA P-256), and server certificates signed
/// by it for both TLS roles (a route server dials and accepts), written as PEM files for configs.
/// </summary>
public sealed class DevCertificates : IDisposable
{
    private readonly ECDsa _caKey;

    private DevCertificates(string name, ECDsa caKey, X509Certificate2 ca)
    {
        Name = name;
        _caKey = caKey;
        Authority = ca;
    }

    public string Name { get; }

    public X509Certificate2 Authority { get; }

    public string AuthorityPem => Authority.ExportCertificatePem();

    public static DevCertificates CreateAuthority(string name = "Modular Test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        return new DevCertificates(name, key, ca);
    }

    /// <summary>A certificate for <paramref name="dnsNames"/> and <paramref name="addresses"/>, good for TLS server and client auth.</summary>
    public (string CertPem, string KeyPem) Issue(
        string commonName,
        IEnumerable<string>? dnsNames = null,
        IEnumerable<IPAddress>? addresses = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames ?? ["localhost"])
        {
            san.AddDnsName(dns);
        }

        foreach (var address in addresses ?? [IPAddress.Loopback])
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var from = notBefore ?? DateTimeOffset.UtcNow.AddHours(-1);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        using var signed = request.Create(Authority.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), from, until, serial);
        return (signed.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// Writes ca.pem, NAME-cert.pem and NAME-key.pem into <paramref name="directory"/>; returns their full
    /// paths. <paramref name="addresses"/>: the IP addresses the certificate names (default 127.0.0.1; empty for none).
    /// </summary>
    public TlsFiles WriteServer(string directory, string name, IEnumerable<string>? dnsNames = null, DateTimeOffset? notAfter = null, IEnumerable<IPAddress>? addresses = null)
    {
        Directory.CreateDirectory(directory);
        var (cert, key) = Issue(name, dnsNames, addresses, notBefore: notAfter is { } end && end < DateTimeOffset.UtcNow ? end.AddDays(-10) : null, notAfter: notAfter);
        var files = new TlsFiles(
            Path.Combine(directory, name + "-cert.pem"),
            Path.Combine(directory, name + "-key.pem"),
            Path.Combine(directory, SafeName(Name) + "-ca.pem"));
        File.WriteAllText(files.Cert, cert);
        File.WriteAllText(files.Key, key);
        File.WriteAllText(files.Ca, AuthorityPem);
        return files;
    }

    public void Dispose()
    {
        _caKey.Dispose();
        Authority.Dispose();
    }

    private static string SafeName(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}

/// <summary>The three PEM files a TLS table names.</summary>
public sealed record TlsFiles(string Cert, string Key, string Ca);
