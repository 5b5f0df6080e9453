using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Modular.Monitoring;

/// <summary>
/// Where and how the monitoring HTTP server listens: the address, an optional certificate (HTTPS),
/// optional credentials and a path prefix. <see cref="MonitoringHost"/> builds it from <c>[monitor]</c>.
/// </summary>
public sealed class MonitoringListenOptions
{
    public MonitoringListenOptions(IPEndPoint listen) => Listen = listen;

    /// <summary>Port 0 binds a free port; <see cref="MonitoringServer.EndPoint"/> reads it back.</summary>
    public IPEndPoint Listen { get; }

    /// <summary>"" or a prefix such as "/nats": then "/nats/varz" is served and "/varz" is 404.</summary>
    public string BasePath { get; init; } = "";

    /// <summary>Accepted as <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? Token { get; init; }

    /// <summary>Accepted as HTTP basic auth together with <see cref="Password"/>.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>HTTPS with this certificate (with its private key); null is plain HTTP.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>True when a request must present the token or the user and password.</summary>
    public bool AuthRequired => Token is not null || User is not null;
}
