using System.Net;
using Modular.Core.Clients;
using Modular.Core.Config;
using Modular.Core.Server;

namespace Modular.Monitoring;

/// <summary>
/// <see cref="IMonitoredServer"/> over a live <see cref="NatsServer"/>.
/// </summary>
internal sealed class NatsServerMonitorAdapter : IMonitoredServer
{
    private readonly NatsServer _server;

    public NatsServerMonitorAdapter(NatsServer server) => _server = server;

    public string ServerId => _server.ServerId;

    public string ServerName => _server.ServerName;

    public string Version => NatsServer.ServerVersion;

    public DateTime StartTime => _server.StartTime;

    public DateTime ConfigLoadTime => _server.LastReload ?? _server.StartTime;

    public ModularOptions Options => _server.Options;

    public IPEndPoint? ClientEndPoint => _server.ClientEndPoint;

    public bool IsAcceptingClients => _server.IsAcceptingClients;

    public bool IsLameDuck => _server.IsLameDuck;

    public bool AuthRequired => _server.Authenticator.IsRequired(Modular.Abstractions.Transport.ConnectionKind.Client);

    public bool RouteTlsRequired => _server.Seams.RouteConnectionWrapper?.RequiresTls == true;

    public ServerStatistics Statistics => _server.Statistics;

    public int ClientCount => _server.ClientCount;

    public int RouteCount => _server.Routes?.RouteCount ?? 0;

    public int LeafnodeCount => _server.Leafnodes?.GetConnections().Count ?? 0;

    public IPEndPoint? LeafEndPoint => _server.Leafnodes?.EndPoint;

    public int RemoteCount => _server.Routes?.RemoteCount ?? 0;

    public IPEndPoint? ClusterEndPoint => _server.Routes?.EndPoint;

    public Modular.Core.Gateways.GatewayManager? Gateways => _server.Gateways;

    public IReadOnlyList<ClientSnapshot> GetClients() => _server.GetClients();

    public IReadOnlyList<ClientSnapshot> GetClosedClients() => _server.GetClosedClients();

    public IReadOnlyList<MonitoredAccount> GetAccounts() =>
        _server.Accounts.All
            .Select(a => new MonitoredAccount(a.Name, a.ClientCount, a.Subscriptions.GetStats(), _server.StartTime))
            .ToList();
}
