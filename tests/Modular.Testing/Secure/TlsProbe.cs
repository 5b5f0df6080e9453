using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Modular.Testing.Secure;

/// <summary>
/// Connects to a TLS port as a TLS client from the first byte (as a dialing route does) and returns
/// the certificate the server presented: which certificate a listener hands to the next connection
/// (what <c>openssl s_client</c> prints as the subject), without taking part in the NATS protocol.
/// </summary>
public static class TlsProbe
{
    /// <summary>
    /// The server certificate of a handshake with 127.0.0.1:<paramref name="port"/>.
    /// <paramref name="clientCertificate"/> answers a server that asks for one (verify = true); the
    /// server's certificate is not judged here, only returned, so the caller can assert on it.
    /// </summary>
    public static async Task<X509Certificate2> ServerCertificateAsync(int port, X509Certificate2? clientCertificate, CancellationToken cancellationToken = default)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, attempt.Token).ConfigureAwait(false);
        X509Certificate2? presented = null;
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                // Copied: the handshake's own instance is disposed with the stream.
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return true;
            },
        };
        await ssl.AuthenticateAsClientAsync(options, attempt.Token).ConfigureAwait(false);
        return presented ?? throw new InvalidOperationException($"the server on port {port} presented no certificate");
    }
}
