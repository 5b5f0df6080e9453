using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Modular.Plugins.Tls;

/// <summary>
/// The certificate, its key and the trusted CAs, read from PEM files and checked: files readable, the
/// key belongs to the certificate, the certificate is valid today. Immutable; a reload makes a new one.
/// </summary>
internal sealed class CertificateMaterial
{
    private CertificateMaterial(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection? authorities, FileStamp stamp)
    {
        Certificate = certificate;
        Authorities = authorities;
        Stamp = stamp;
        Context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The CAs of ca_file, or null to trust the system's.</summary>
    public X509Certificate2Collection? Authorities { get; }

    /// <summary>The certificate (and intermediates from cert_file) as handshakes send it.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>When the files were last written, to notice a change.</summary>
    public FileStamp Stamp { get; }

    /// <summary>
    /// Reads and checks the files. Problems are reported as (setting key, message), one per problem;
    /// null is returned when any was found.
    /// </summary>
    public static CertificateMaterial? Load(TlsSettings settings, List<(string Key, string Message)> problems, DateTimeOffset now)
    {
        var stamp = FileStamp.Of(settings);
        var certText = ReadFile(settings.CertFile, "cert_file", problems);
        var keyText = ReadFile(settings.KeyFile, "key_file", problems);
        string? caText = settings.CaFile is null ? null : ReadFile(settings.CaFile, "ca_file", problems);

        X509Certificate2Collection? chain = null;
        if (certText is not null)
        {
            chain = new X509Certificate2Collection();
            try
            {
                chain.ImportFromPem(certText);
            }
            catch (CryptographicException ex)
            {
                problems.Add(("cert_file", $"{settings.CertFile} is not a PEM certificate: {ex.Message}"));
                chain = null;
            }

            if (chain is { Count: 0 })
            {
                problems.Add(("cert_file", $"{settings.CertFile} holds no certificate (expected a PEM \"BEGIN CERTIFICATE\" block)"));
                chain = null;
            }
        }

        var keyReadable = keyText is not null && CheckKeyText(settings.KeyFile, keyText, problems);

        X509Certificate2? certificate = null;
        if (chain is not null && keyReadable)
        {
            try
            {
                certificate = X509Certificate2.CreateFromPem(certText, keyText);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                problems.Add(("key_file", $"the key in {settings.KeyFile} does not match the certificate in {settings.CertFile} (subject {chain[0].Subject}); they must be a pair"));
            }
        }

        if (chain is not null)
        {
            var leaf = chain[0];
            if (leaf.NotAfter.ToUniversalTime() < now.UtcDateTime)
            {
                problems.Add(("cert_file", $"the certificate in {settings.CertFile} (subject {leaf.Subject}) expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; peers would refuse it"));
            }
            else if (leaf.NotBefore.ToUniversalTime() > now.UtcDateTime)
            {
                problems.Add(("cert_file", $"the certificate in {settings.CertFile} (subject {leaf.Subject}) is not valid before {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"));
            }
        }

        X509Certificate2Collection? authorities = null;
        if (caText is not null)
        {
            authorities = new X509Certificate2Collection();
            try
            {
                authorities.ImportFromPem(caText);
            }
            catch (CryptographicException ex)
            {
                problems.Add(("ca_file", $"{settings.CaFile} is not a PEM certificate: {ex.Message}"));
            }

            if (authorities.Count == 0)
            {
                problems.Add(("ca_file", $"{settings.CaFile} holds no certificate (expected one or more PEM \"BEGIN CERTIFICATE\" blocks)"));
            }
        }

        if (problems.Count > 0 || certificate is null || chain is null)
        {
            return null;
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        return new CertificateMaterial(certificate, intermediates, authorities, stamp);
    }

    private static string? ReadFile(string path, string key, List<(string Key, string Message)> problems)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var why = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            problems.Add((key, $"cannot read {path}: {why}"));
            return null;
        }
    }

    private static bool CheckKeyText(string path, string keyText, List<(string Key, string Message)> problems)
    {
        foreach (var algorithm in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create })
        {
            using var key = algorithm();
            try
            {
                key.ImportFromPem(keyText);
                return true;
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
            }
        }

        problems.Add(("key_file", $"{path} holds no usable private key (expected an unencrypted PEM RSA or EC key: \"BEGIN PRIVATE KEY\", \"BEGIN RSA PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\")"));
        return false;
    }
}

/// <summary>The last write times of the three files, to notice that one changed.</summary>
internal readonly record struct FileStamp(DateTime Cert, DateTime Key, DateTime Ca)
{
    public static FileStamp Of(TlsSettings settings) => new(
        File.GetLastWriteTimeUtc(settings.CertFile),
        File.GetLastWriteTimeUtc(settings.KeyFile),
        settings.CaFile is null ? default : File.GetLastWriteTimeUtc(settings.CaFile));
}
