using System.Net;
using Modular.Core.Clients;
using Modular.Core.Config;
using Modular.Core.Server;

namespace Modular.Monitoring;

/// <summary>
/// Everything the monitoring endpoints read from a server. <see cref="MonitoringServer"/> adapts a
/// <see cref="NatsServer"/> to it; tests feed fakes. Reads may happen on any thread at any time, so
/// implementations return snapshots.
/// </summary>
public interface IMonitoredServer
{
    string ServerId { get; }

    string ServerName { get; }

    /// <summary>The NATS version this server claims (INFO "version").</summary>
    string Version { get; }

    /// <summary>UTC.</summary>
    DateTime StartTime { get; }

    /// <summary>When the configuration was (re)loaded, UTC.</summary>
    DateTime ConfigLoadTime { get; }

    ModularOptions Options { get; }

    /// <summary>The bound client listener, null before it is bound.</summary>
    IPEndPoint? ClientEndPoint { get; }

    /// <summary>Ready for clients; /healthz answers 500 while false (not started, or lame duck).</summary>
    bool IsAcceptingClients { get; }

    /// <summary>In lame duck mode (protocol.md §9): /healthz says so while it answers 500.</summary>
    bool IsLameDuck => false;

    /// <summary>Clients must authenticate (users or a token are configured).</summary>
    bool AuthRequired { get; }

    /// <summary>The route wrapper declares itself TLS (/varz cluster tls_required and tls_verify).</summary>
    bool RouteTlsRequired => false;

    ServerStatistics Statistics { get; }

    /// <summary>Open client connections.</summary>
    int ClientCount { get; }

    /// <summary>Route connections (all pooled connections counted); 0 until clustering lands.</summary>
    int RouteCount { get; }

    /// <summary>Registered leaf node connections (both sides).</summary>
    int LeafnodeCount { get; }

    /// <summary>The bound leaf node listener; null without one.</summary>
    IPEndPoint? LeafEndPoint { get; }

    /// <summary>Distinct remote servers reached by routes; 0 until clustering lands.</summary>
    int RemoteCount { get; }

    /// <summary>The gateways side (/varz gateway block); null without <c>[gateway]</c>.</summary>
    Modular.Core.Gateways.GatewayManager? Gateways => null;

    /// <summary>The bound route listener, or null (no cluster, or not bound yet): /varz reports its port.</summary>
    IPEndPoint? ClusterEndPoint { get; }

    /// <summary>Open client connections.</summary>
    IReadOnlyList<ClientSnapshot> GetClients();

    /// <summary>Recently closed client connections, with stop time and reason.</summary>
    IReadOnlyList<ClientSnapshot> GetClosedClients();

    /// <summary>All accounts, ordered by name.</summary>
    IReadOnlyList<MonitoredAccount> GetAccounts();
}
