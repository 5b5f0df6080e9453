using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Modular.Abstractions.Transport;

/// <summary>
/// Feature a TLS wrapper publishes in <see cref="ModularConnection.Features"/> once its handshake
/// completed (the shape of ASP.NET Core's ITlsHandshakeFeature): what was negotiated and who the
/// peer is. The core and other plugins read it instead of knowing the wrapper's types.
/// </summary>
public interface ITlsHandshakeFeature
{
    SslProtocols Protocol { get; }

    TlsCipherSuite? NegotiatedCipherSuite { get; }

    /// <summary>The certificate the peer presented, or null when it presented none.</summary>
    X509Certificate? RemoteCertificate { get; }
}
