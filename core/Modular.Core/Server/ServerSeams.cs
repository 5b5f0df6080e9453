using Modular.Abstractions.Auth;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Pooling;
using Modular.Abstractions.Transport;

namespace Modular.Core.Server;

/// <summary>
/// What plugins (or an embedding program) supply for each seam. Anything left null gets the
/// built-in default: plain TCP, configured users, no compression, static routes, FNV pooling.
/// </summary>
public sealed record ServerSeams
{
    public ITransport? Transport { get; init; }

    /// <summary>Wraps route connections before the first protocol byte (TLS for routes).</summary>
    public IConnectionWrapper? RouteConnectionWrapper { get; init; }

    /// <summary>Wraps gateway connections before the first protocol byte (TLS for gateways, [gateway.tls]).</summary>
    public IConnectionWrapper? GatewayConnectionWrapper { get; init; }

    /// <summary>Upgrades leaf node connections after the accepting side's INFO ([leafnodes.tls]), as nats-server.</summary>
    public IConnectionWrapper? LeafConnectionWrapper { get; init; }

    /// <summary>Decides on a leaf node's CONNECT ([leafnodes.auth]); null: the leaf logins of [leafnodes.authorization] or the accounts' users.</summary>
    public IAuthenticator? LeafAuthenticator { get; init; }

    /// <summary>Upgrades client connections ([server.tls]) at the point it declares (<see cref="IConnectionWrapper.ClientUpgrade"/>).</summary>
    public IConnectionWrapper? ClientConnectionWrapper { get; init; }

    public IAuthenticator? ClientAuthenticator { get; init; }

    public IAuthenticator? RouteAuthenticator { get; init; }

    public IRouteCredentialsProvider? RouteCredentials { get; init; }

    /// <summary>Decides on a gateway CONNECT ([gateway.auth]); null: every gateway is allowed.</summary>
    public IAuthenticator? GatewayAuthenticator { get; init; }

    /// <summary>The credentials a dialed gateway sends ([gateway.auth]); null: the user:password of the gateway URL.</summary>
    public IRouteCredentialsProvider? GatewayCredentials { get; init; }

    public ICompressionProvider? Compression { get; init; }

    public IRouteDiscovery? Discovery { get; init; }

    public IRoutePoolingPolicy? Pooling { get; init; }
}
