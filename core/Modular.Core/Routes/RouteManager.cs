using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Pooling;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Config;
using Modular.Core.Routes.Dialing;
using Modular.Core.Routes.Gossip;
using Modular.Core.Routes.Handshake;
using Modular.Core.Routes.Identity;
using Modular.Core.Routes.Interest;
using Modular.Core.Routes.Peers;
using Modular.Core.Routes.Pinning;
using Modular.Core.Subjects;
using Modular.Core.Transport;

namespace Modular.Core.Routes;

/// <summary>
/// The cluster side of a server, as the server holds it: it builds the components (dialer, peer
/// registry, interest propagation, gossip, pinning, cluster identity), runs the route listener,
/// and relays between them and the route connections. Each component has one job; this class only
/// wires them and applies reloads and the shutdown. Lock order: see LOCKS.md beside this file.
/// </summary>
public sealed class RouteManager : IAsyncDisposable, IRouteDialer, IRouteSessionHost
{
    private static readonly TimeSpan MaxPingInterval = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping server lets its routes send what is queued to the peers.</summary>
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _shutdown = new();

    // Dialers, the accept loop and delayed pinned dials, awaited at shutdown; added from any thread.
    private readonly ConcurrentBag<Task> _background = new();
    private readonly ILogger _logger;
    private readonly ClusterIdentity _identity;
    private readonly AccountRouting _routing;
    private readonly PeerRegistry _registry;
    private readonly RouteConnectionSetup _setup;
    private readonly RouteDialer _dialer;
    private readonly InterestPropagator _interest;
    private readonly GossipForwarder _gossip;
    private readonly PinningCoordinator _pinning;
    private IConnectionListener? _listener;
    private long _nextRouteId;

    public RouteManager(
        IClusterHost host,
        ClusterOptions options,
        IRouteDiscovery? discovery = null,
        IRoutePoolingPolicy? pooling = null,
        IRouteCredentialsProvider? credentials = null,
        IAuthenticator? authenticator = null)
    {
        Host = host;
        Options = options;
        Discovery = discovery ?? new StaticRouteDiscovery(options.Routes);
        Credentials = credentials ?? UrlRouteCredentials.Instance;
        Authenticator = authenticator ?? OpenRouteAuthenticator.Instance;
        _logger = host.LoggerFactory.CreateLogger("Modular.Routes");
        PingInterval = options.PingInterval < MaxPingInterval ? options.PingInterval : MaxPingInterval;
        _identity = new ClusterIdentity(options.Name);
        _routing = new AccountRouting(options.PoolSize, pooling ?? FnvPoolingPolicy.Instance);
        _registry = new PeerRegistry(host.ServerId, _routing, host.Accounts, host.PeerClientUrls, options.NoAdvertise);
        _setup = new RouteConnectionSetup(() => host.RouteConnectionWrapper, _logger, _shutdown.Token);
        _dialer = new RouteDialer(host.Transport, _setup, () => EndPoint, options.ConnectRetries, options.ConnectBackoff, RunDialedAsync, _logger, _background, _shutdown.Token);
        _interest = new InterestPropagator(_registry, host.Accounts);
        _gossip = new GossipForwarder(host.ServerId, Discovery, _registry, _dialer, _logger, _shutdown.Token);
        _pinning = new PinningCoordinator(_routing, _registry, host.Accounts, _dialer, _interest, _logger, _background, _shutdown.Token);
    }

    public IClusterHost Host { get; }

    public string ServerId => Host.ServerId;

    public string ServerName => Host.ServerName;

    public ClusterOptions Options { get; }

    public IRouteDiscovery Discovery { get; }

    public IRouteCredentialsProvider Credentials { get; private set; }

    /// <summary>The compression strategy; null when no plugin serves it (routes stay plain, INFO says nothing).</summary>
    public ICompressionProvider? Compression => Host.Compression;

    public IAuthenticator Authenticator { get; private set; }

    /// <summary>Pooled connections per peer; 0 when pooling is off (pool_size -1, one route per peer).</summary>
    public int LocalPoolSize => _routing.LocalPoolSize;

    public TimeSpan PingInterval { get; }

    public string ClusterName => _identity.Name;

    public bool IsClusterNameDynamic => _identity.IsDynamic;

    /// <summary>The bound route listener address, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public IReadOnlyCollection<string> PinnedAccounts => _routing.PinnedAccounts;

    /// <summary>Every registered route connection.</summary>
    public IReadOnlyList<RouteConnection> GetRoutes() => _registry.GetRoutes();

    public int RouteCount => _registry.RouteCount;

    /// <summary>Distinct remote servers with at least one registered connection.</summary>
    public int RemoteCount => _registry.RemoteCount;

    /// <inheritdoc />
    public IReadOnlyCollection<string> ConnectedServerIds => _registry.PeerIds;

    /// <summary>True when a configured route of ours reaches this server.</summary>
    public bool IsConfiguredPeer(string? serverId) => _registry.IsConfiguredPeer(serverId);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endPoint = new IPEndPoint(HostAddress.Parse(Options.Host), Options.Port);
        _listener = await Host.Transport.BindAsync(endPoint, cancellationToken).ConfigureAwait(false);
        EndPoint = (IPEndPoint)_listener.EndPoint;
        _logger.LogInformation("Cluster name is {cluster}{dynamic}", ClusterName, IsClusterNameDynamic ? " (dynamic)" : "");
        _logger.LogInformation("Listening for route connections on {endpoint}", EndPoint);
        _background.Add(Task.Run(AcceptRoutesAsync));
        _dialer.Start(Discovery.InitialRoutes);
        Discovery.Attach(this);
    }

    /// <inheritdoc />
    public void Dial(Uri url, bool isExplicit)
    {
        if (!_dialer.IsDialing(url))
        {
            _dialer.Dial(new RouteDialTarget(url, isExplicit, PinnedAccount: null));
        }
    }

    private async Task AcceptRoutesAsync()
    {
        var listener = _listener!;
        while (!_shutdown.IsCancellationRequested)
        {
            ModularConnection? connection;
            try
            {
                connection = await listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Error accepting route connection");
                continue;
            }

            if (connection is null)
            {
                break;
            }

            _ = Task.Run(async () =>
            {
                if (await _setup.WrapAsync(connection, ConnectionRole.Accepted).ConfigureAwait(false))
                {
                    await RunAsync(connection, dialTarget: null).ConfigureAwait(false);
                }
            });
        }
    }

    private Task<RouteCloseReason> RunDialedAsync(ModularConnection connection, RouteDialTarget target) => RunAsync(connection, target);

    /// <summary>Runs a route connection, accepted or dialed, until it closes.</summary>
    private async Task<RouteCloseReason> RunAsync(ModularConnection connection, RouteDialTarget? dialTarget)
    {
        var id = (ulong)Interlocked.Increment(ref _nextRouteId);
        var route = new RouteConnection(this, connection, id, didSolicit: dialTarget is not null, dialTarget, _logger);
        _registry.AddConnecting(route);
        await route.RunAsync().ConfigureAwait(false);
        _registry.RemoveConnecting(route);
        return route.CloseReason;
    }

    /// <summary>
    /// The INFO this server sends on routes (the dialing side adds its pool index or account).
    /// <paramref name="via"/> is the connection it goes on: its local address is how the peer reaches
    /// us, which the monitoring URL may need (see <see cref="MonitorAddress"/>).
    /// </summary>
    public RouteInfo BuildInfo(RouteConnection? via = null)
    {
        var advertise = Options.Advertise;
        string host;
        int port;
        if (advertise is not null && TrySplitHostPort(advertise, out var advertisedHost, out var advertisedPort))
        {
            (host, port) = (advertisedHost, advertisedPort);
        }
        else
        {
            (host, port) = (Options.Host, EndPoint?.Port ?? Options.Port);
        }

        var monitorUrl = MonitorAddress.For(Host.Options.Monitor, Host.MonitorEndPoint, advertise, via?.LocalEndPoint?.Address);

        // Our client URLs, so peers list us to their clients; none in lame duck mode (clients should leave, not come).
        IReadOnlyList<string> clientUrls = Options.NoAdvertise ? [] : Host.PeerClientUrls.Own;
        var (cluster, dynamic) = _identity.Current;
        return new RouteInfo
        {
            ServerId = Host.ServerId,
            ServerName = Host.ServerName,
            Version = Host.Version,
            Proto = 1,
            Go = Host.GoVersion,
            Host = host,
            Port = port,
            Ip = advertise is null ? null : $"nats-route://{host}:{port}/",
            Headers = true,
            AuthRequired = Authenticator.IsRequired(ConnectionKind.Route),
            MaxPayload = Host.Options.Server.MaxPayload,
            Cluster = cluster,
            ClusterDynamic = dynamic,
            ConnectUrls = clientUrls.Count == 0 ? null : clientUrls.ToList(),
            LeafnodeUrls = Host.LeafnodeUrl is { } leafUrl ? [leafUrl] : null,
            Lnoc = true,
            Lnocu = true,
            RoutePoolSize = LocalPoolSize,
            Compression = Compression?.AdvertisedMode is { } mode && mode != "not supported" ? mode : null,
            MonitorUrl = monitorUrl,
            GatewayUrl = Host.GatewayUrl,
        };
    }

    /// <summary>
    /// Adopts a peer's cluster name when ours is dynamic and (theirs is static, or ours sorts
    /// first); other routes are closed so they reconnect under the new name. False when the names
    /// stay in conflict.
    /// </summary>
    public bool TryAdoptClusterName(string? theirs, bool theirsDynamic, RouteConnection? via)
    {
        var adoption = _identity.TryAdopt(theirs, theirsDynamic);
        if (adoption != ClusterIdentity.Adoption.Adopted)
        {
            return adoption == ClusterIdentity.Adoption.Same;
        }

        _logger.LogInformation("Cluster name updated to {cluster}", theirs);
        foreach (var route in _registry.Where(r => !ReferenceEquals(r, via) && r.IsRegistered))
        {
            route.BeginClose(RouteCloseReason.ClusterNameConflict, flushFirst: false);
        }

        return true;
    }

    /// <summary>
    /// Places a connection whose peer INFO just arrived (see <see cref="RoutePlacement"/>); once
    /// placed, it gets our interest, the dialing side dials the rest of the pool and the pinned
    /// accounts, and a new peer is gossiped about.
    /// </summary>
    public RegistrationOutcome TryRegister(RouteConnection route, RouteInfo info)
    {
        var (outcome, peer, isNewPeer, clientUrlsChanged) = _registry.TryRegister(route, info);
        if (outcome.Result != RegistrationResult.Registered)
        {
            return outcome;
        }

        _interest.SendDump(route);
        foreach (var line in Host.GatewayGossip)
        {
            // The gateways this server reaches, so the new peer dials them too.
            route.SendRaw(line);
        }
        if (route.DidSolicit && !route.NoPool && route.PinnedAccount is null)
        {
            // Dial the next slot while the pool has room, and the pinned accounts now the peer is known to pool.
            var target = route.DialTarget!;
            if (_dialer.PooledDialerCount(target.Url) < peer.EffectivePoolSize)
            {
                _dialer.Dial(target with { PinnedAccount = null });
            }

            _pinning.DialPinnedAlongside(target);
        }

        if (clientUrlsChanged)
        {
            Host.PublishClientUrls();
        }

        if (isNewPeer)
        {
            if (!string.IsNullOrEmpty(info.GatewayUrl))
            {
                Host.OnPeerGatewayUrl(info.ServerId, info.GatewayUrl);
            }

            _gossip.ForwardAbout(peer);
            if (!route.NoPool)
            {
                _pinning.OnNewPeer(peer);
            }
        }

        return RegistrationOutcome.Registered;
    }

    /// <summary>The route that carries <paramref name="account"/> to the peer <paramref name="serverId"/>; null when not connected.</summary>
    public RouteConnection? CarrierTo(string serverId, Accounts.Account account) => _registry.CarrierTo(serverId, account);

    /// <summary>Queues <paramref name="line"/> (an INFO) on one connection to every peer.</summary>
    public void SendToEveryPeer(byte[] line)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in _registry.Where(r => r.IsRegistered))
        {
            if (route.RemoteId is { } id && seen.Add(id))
            {
                route.SendRaw(line);
            }
        }
    }

    public void OnRouteClosed(RouteConnection route)
    {
        var (urlsChanged, backToPool) = _registry.Remove(route);
        if (route.RemoteId is { } remoteId && !_registry.IsKnown(remoteId))
        {
            Host.OnPeerGatewayUrl(remoteId, null);
        }
        if (urlsChanged)
        {
            Host.PublishClientUrls();
        }

        if (backToPool is not null)
        {
            // A pinned route a peer asked for by reload closed: the account goes back to the pool with it.
            _interest.Resend(Host.Accounts.GetOrAdd(backToPool));
        }
    }

    /// <summary>
    /// A peer's route INFO said ldm: its clients are being sent away, so ours must not be sent
    /// there. Its URLs leave our connect_urls now, not when its routes close (protocol.md §9).
    /// </summary>
    private void OnPeerLameDuck(RouteConnection route)
    {
        if (route.RemoteId is { } id && _registry.WithdrawClientUrls(id))
        {
            Host.PublishClientUrls();
        }
    }

    public void OnInfoUpdate(RouteConnection via, InfoUpdate update, RouteInfo info)
    {
        switch (update)
        {
            case InfoUpdate.PinRequest:
                _pinning.OnPinRequested(via, info);
                break;
            case InfoUpdate.PinConfirmation:
                _pinning.OnPinConfirmed(info.RouteAccountAddRequestId!);
                break;
            case InfoUpdate.Gossip:
                _gossip.OnGossip(via.RemoteName, info);
                break;
            case InfoUpdate.Gateway:
                var extra = info.Extra!;
                var urls = extra.TryGetValue("gateway_urls", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array
                    ? list.EnumerateArray().Select(u => u.GetString()).OfType<string>().ToList()
                    : [];
                Host.OnGatewayGossip(extra["gateway"].GetString()!, urls);
                break;
            case InfoUpdate.LameDuck:
                _logger.LogInformation("rid:{rid} - peer {remote} entered lame duck mode", via.Id, info.ServerName);
                OnPeerLameDuck(via);
                break;
        }
    }

    public void OnPinRefused(string remoteId, string account) => _pinning.OnPinRefused(remoteId, account);

    /// <summary>
    /// Applies a reloaded <c>routes</c> list: new URLs are dialed as explicit routes; for removed
    /// ones the dialers stop and the routes we dialed to them close and are not redialed (a route
    /// the peer dialed to us stays, as nats-server). Returns what was added and removed.
    /// </summary>
    public (IReadOnlyList<Uri> Added, IReadOnlyList<Uri> Removed) ReloadRoutes(IReadOnlyList<Uri> routes)
    {
        var (added, removed) = _dialer.Reload(Options.Routes, routes);
        Options.Routes = routes.ToList();
        var closing = _registry.Where(route => route.DialTarget is { IsConfigured: true } target && removed.Any(r => RouteDialer.SameRoute(r, target.Url)));
        foreach (var route in closing)
        {
            route.BeginClose(RouteCloseReason.RouteRemoved, flushFirst: true);
        }

        foreach (var url in added)
        {
            _dialer.Dial(new RouteDialTarget(url, IsConfigured: true, PinnedAccount: null));
        }

        return (added, removed);
    }

    /// <summary>Replaces the route policies after a reload; pinned accounts move as <see cref="PinningCoordinator.ReloadAsync"/> says.</summary>
    public Task<(IReadOnlyList<string> Pinned, IReadOnlyList<string> Unpinned)> ReloadPoliciesAsync(
        IRoutePoolingPolicy? pooling,
        IRouteCredentialsProvider? credentials,
        IAuthenticator? authenticator)
    {
        Credentials = credentials ?? UrlRouteCredentials.Instance;
        Authenticator = authenticator ?? OpenRouteAuthenticator.Instance;
        return _pinning.ReloadAsync(pooling ?? FnvPoolingPolicy.Instance);
    }

    /// <summary>Called by the server's housekeeping timer.</summary>
    public void OnTimerTick(long nowTicks)
    {
        foreach (var route in _registry.GetAllConnections())
        {
            route.OnTimerTick(nowTicks);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _shutdown.Cancel();
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        var routes = _registry.GetAllConnections();

        // Flush first: messages our clients published just before the stop (the last clients a lame
        // duck closed, say) are still queued to the peers. A peer that does not take them within the
        // bound is cut off, since the housekeeping timer that ends slow closes has stopped by now.
        foreach (var route in routes)
        {
            route.BeginClose(RouteCloseReason.ServerShutdown, flushFirst: true);
        }

        var deadline = Environment.TickCount64 + (long)ShutdownFlushTimeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline && routes.Any(r => !r.IsClosed))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        foreach (var route in routes)
        {
            route.AbortClose();
        }

        try
        {
            await Task.WhenAll(_background.ToArray()).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
    }

    internal static bool TrySplitHostPort(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon < 0 ? text : text[..colon];
        port = 0;
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), out port);
    }
}
