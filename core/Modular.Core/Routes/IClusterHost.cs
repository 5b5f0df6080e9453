using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Config;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Routes;

/// <summary>
/// What the cluster needs of the server it runs in: identity, accounts, options, the transport
/// and the seams routes use, counters, and the connect_urls board. The server implements it; the
/// cluster never sees the server type (no Routes ↔ Server cycle).
/// </summary>
public interface IClusterHost
{
    string ServerId { get; }

    string ServerName { get; }

    /// <summary>The protocol level reported as "version".</summary>
    string Version { get; }

    /// <summary>The "go" field of INFO.</summary>
    string GoVersion { get; }

    ModularOptions Options { get; }

    AccountRegistry Accounts { get; }

    ILoggerFactory LoggerFactory { get; }

    ITransport Transport { get; }

    /// <summary>Wraps route connections before the first protocol byte (TLS); read at each use, a reload may replace it.</summary>
    IConnectionWrapper? RouteConnectionWrapper { get; }

    /// <summary>The compression strategy; null when no plugin serves it.</summary>
    ICompressionProvider? Compression { get; }

    /// <summary>The bound monitoring address; null when monitoring is off.</summary>
    IPEndPoint? MonitorEndPoint { get; }

    IRouteStatistics RouteStatistics { get; }

    /// <summary>Our clients' connect_urls, which peers' URLs join and leave.</summary>
    IPeerClientUrls PeerClientUrls { get; }

    /// <summary>Tells clients that <see cref="PeerClientUrls"/> changed.</summary>
    void PublishClientUrls();

    /// <summary>INFO lines about the gateways this server connects to, for a route that just registered (none without gateways).</summary>
    IReadOnlyList<byte[]> GatewayGossip { get; }

    /// <summary>A peer told of another cluster's gateway at <paramref name="urls"/> (host:port): dial it too.</summary>
    void OnGatewayGossip(string gateway, IReadOnlyList<string> urls);

    /// <summary>This server's leaf URL (host:port), named in the route INFO's leafnode_urls; null without a leaf listener.</summary>
    string? LeafnodeUrl { get; }

    /// <summary>This server's gateway URL (host:port) for the route INFO's <c>gateway_url</c>; null without gateways.</summary>
    string? GatewayUrl { get; }

    /// <summary>A peer of this cluster announced its gateway URL in its route INFO (null: the peer left), as nats-server's addGatewayURL/removeGatewayURL.</summary>
    void OnPeerGatewayUrl(string serverId, string? url);
}
