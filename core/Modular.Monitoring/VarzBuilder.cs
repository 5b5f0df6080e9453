using System.Net;
using Modular.Core.Config;
using Modular.Monitoring.Models;
using Modular.Core.Server;

namespace Modular.Monitoring;

/// <summary>Builds <c>/varz</c> from the server's identity, options, counters and the process's usage.</summary>
public static class VarzBuilder
{
    /// <summary>nats-server's default TLS handshake timeout, reported even without TLS.</summary>
    public const double DefaultTlsTimeoutSeconds = 2;

    public static Varz Build(
        IMonitoredServer server,
        IPEndPoint? httpEndPoint,
        IReadOnlyDictionary<string, long> httpRequestStats,
        ProcessUsageSample usage,
        DateTime now)
    {
        ModularOptions options = server.Options;
        ServerOptions so = options.Server;
        ServerStatistics stats = server.Statistics;
        IReadOnlyList<MonitoredAccount> accounts = server.GetAccounts();

        return new Varz
        {
            ServerId = server.ServerId,
            ServerName = server.ServerName,
            Version = server.Version,
            Proto = 1,
            Go = $"modular/.NET {Environment.Version}",
            Host = so.Host,
            Port = server.ClientEndPoint?.Port ?? so.Port,
            AuthRequired = server.AuthRequired,
            MaxConnections = so.MaxConnections,
            MaxSubscriptions = so.MaxSubscriptions,
            PingInterval = GoFormat.Nanoseconds(so.PingInterval),
            PingMax = so.PingMax,
            HttpHost = httpEndPoint?.Address.ToString() ?? options.Monitor.Host ?? "",
            HttpPort = httpEndPoint?.Port ?? options.Monitor.Port,
            AuthTimeout = so.AuthTimeout.TotalSeconds,
            MaxControlLine = so.MaxControlLine,
            MaxPayload = so.MaxPayload,
            MaxPending = so.MaxPending,
            Cluster = BuildCluster(options.Cluster, server.ClusterEndPoint, server.RouteTlsRequired),
            TlsTimeout = DefaultTlsTimeoutSeconds,
            WriteDeadline = GoFormat.Nanoseconds(so.WriteDeadline),
            Start = server.StartTime,
            Now = now,
            Uptime = GoFormat.Uptime(now - server.StartTime),
            Mem = usage.MemoryBytes,
            Cores = Environment.ProcessorCount,
            MaxProcs = Environment.ProcessorCount,
            Cpu = usage.CpuPercent,
            Connections = server.ClientCount,
            TotalConnections = Interlocked.Read(ref stats.TotalConnections),
            Routes = server.RouteCount,
            Remotes = server.RemoteCount,
            Leafnodes = server.LeafnodeCount,
            Leaf = BuildLeaf(options.Leafnodes, server.LeafEndPoint, so),
            Gateway = BuildGateway(server.Gateways, so),
            InMsgs = Interlocked.Read(ref stats.InMsgs),
            OutMsgs = Interlocked.Read(ref stats.OutMsgs),
            InBytes = Interlocked.Read(ref stats.InBytes),
            OutBytes = Interlocked.Read(ref stats.OutBytes),
            SlowConsumers = stats.SlowConsumers,
            StaleConnections = stats.StaleConnections,
            StalledClients = Interlocked.Read(ref stats.Stalls),
            Subscriptions = accounts.Sum(a => (long)a.Subscriptions.Count),
            HttpReqStats = new SortedDictionary<string, long>(httpRequestStats.ToDictionary(), StringComparer.Ordinal),
            ConfigLoadTime = server.ConfigLoadTime,
            SlowConsumerStats = new ConnectionKindStats
            {
                Clients = Interlocked.Read(ref stats.SlowConsumersClients),
                Routes = Interlocked.Read(ref stats.SlowConsumersRoutes),
            },
            StaleConnectionStats = new ConnectionKindStats
            {
                Clients = Interlocked.Read(ref stats.StaleConnectionsClients),
                Routes = Interlocked.Read(ref stats.StaleConnectionsRoutes),
            },
        };
    }

    /// <summary>The <c>cluster</c> block: empty without a <c>[cluster]</c> table. <paramref name="tls"/>: the route wrapper says it is TLS.</summary>
    public static VarzCluster BuildCluster(ClusterOptions? cluster, IPEndPoint? boundEndPoint, bool tls)
    {
        if (cluster is null)
        {
            return new VarzCluster();
        }

        return new VarzCluster
        {
            Name = string.IsNullOrEmpty(cluster.Name) ? null : cluster.Name,
            Addr = cluster.Host,
            ClusterPort = boundEndPoint?.Port ?? cluster.Port,
            Urls = cluster.Routes.Count > 0 ? cluster.Routes.Select(HostAndPort).ToList() : null,
            TlsRequired = tls,
            // nats-server always verifies route certificates when routes use TLS.
            TlsVerify = tls,
            PoolSize = cluster.PoolSize,
        };
    }

    /// <summary>The URL's host[:port] without credentials, as Go's <c>url.URL.Host</c>.</summary>
    private static string HostAndPort(Uri uri)
    {
        // Uri.Host keeps the brackets of an IPv6 literal.
        return uri.IsDefaultPort || uri.Port < 0 ? uri.Host : $"{uri.Host}:{uri.Port}";
    }

    /// <summary>The <c>gateway</c> block: empty without <c>[gateway]</c>; the configured clusters with every URL known for each, as nats-server.</summary>
    public static VarzGateway BuildGateway(Modular.Core.Gateways.GatewayManager? gateways, ServerOptions server)
    {
        if (gateways is null)
        {
            return new VarzGateway();
        }

        var options = gateways.Options;
        var info = gateways.BuildInfo();
        var known = gateways.GetRemotes().ToDictionary(r => r.Name, StringComparer.Ordinal);
        var tls = info.TlsRequired;
        return new VarzGateway
        {
            Name = options.Name,
            Host = options.Host,
            Port = gateways.EndPoint?.Port ?? options.Port,
            AuthTimeout = server.AuthTimeout.TotalSeconds,
            TlsTimeout = DefaultTlsTimeoutSeconds,
            TlsRequired = tls,
            TlsVerify = tls,
            Advertise = options.Advertise,
            ConnectRetries = options.ConnectRetries,
            RejectUnknown = options.RejectUnknown,
            Gateways = options.Gateways.Count == 0 ? null : options.Gateways
                .Where(g => g.Name != options.Name)
                .Select(g => new VarzRemoteGateway
                {
                    Name = g.Name,
                    Urls = (known.TryGetValue(g.Name, out var remote) ? remote.Urls : g.Urls).Select(HostAndPort).ToList() is { Count: > 0 } urls ? urls : null,
                })
                .ToList(),
        };
    }

    private static VarzLeaf BuildLeaf(LeafnodeOptions? leafnodes, IPEndPoint? endPoint, ServerOptions server) => leafnodes is null
        ? new VarzLeaf()
        : new VarzLeaf
        {
            Host = leafnodes.Host,
            Port = endPoint?.Port ?? 0,
            AuthTimeout = leafnodes.Host is null ? 0 : server.AuthTimeout.TotalSeconds,
            Remotes = leafnodes.Remotes.Count == 0 ? null : leafnodes.Remotes.Select(r => new VarzLeafRemote
            {
                LocalAccount = r.Account ?? Modular.Core.Accounts.Account.GlobalName,
                Urls = r.Urls.Select(u => $"{u.Scheme}://{u.Host}:{u.Port}").ToList(),
            }).ToList(),
        };
}
