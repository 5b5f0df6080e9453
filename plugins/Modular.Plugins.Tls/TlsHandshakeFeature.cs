using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Modular.Abstractions.Transport;

namespace Modular.Plugins.Tls;

/// <summary>What a completed handshake negotiated, published on the connection for the core and other plugins.</summary>
internal sealed class TlsHandshakeFeature(SslStream ssl) : ITlsHandshakeFeature
{
    public SslProtocols Protocol => ssl.SslProtocol;

    public TlsCipherSuite? NegotiatedCipherSuite => ssl.NegotiatedCipherSuite;

    public X509Certificate? RemoteCertificate => ssl.RemoteCertificate;
}
