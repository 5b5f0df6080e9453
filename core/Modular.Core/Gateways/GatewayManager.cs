using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;
using Modular.Core.Config;
using Modular.Core.Routes;
using Modular.Core.Transport;

namespace Modular.Core.Gateways;

/// <summary>
/// The gateways side of a server (nats-server gateway.go): the gateway listener, one dial loop per
/// remote cluster (configured, or learned from an inbound INFO or gossip), the registry of
/// outbound connections (one per cluster) and inbound ones, and this cluster's interest sent to
/// them (<see cref="GatewayInterest"/>). Messages need nothing here: outbound connections are
/// peers on the accounts' indexes, inbound ones route what they receive.
/// </summary>
public sealed class GatewayManager : IGatewaySessionHost, IAsyncDisposable
{
    private static readonly TimeSpan MaxPingInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RedialDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentBag<Task> _background = new();
    private readonly ConcurrentDictionary<string, RemoteGateway> _remotes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GatewayConnection> _outbound = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ulong, GatewayConnection> _inbound = new();
    private readonly ConcurrentDictionary<ulong, GatewayConnection> _connections = new();

    // The gateway URLs of this cluster's other servers, by server id, from their route INFO (gateway_url).
    private readonly ConcurrentDictionary<string, string> _clusterUrls = new(StringComparer.Ordinal);

    // Those servers' ids by their 6-character hash, for replies routed back to one of them (nats-server's routesIDByHash).
    private readonly ConcurrentDictionary<string, string> _serverByHash = new(StringComparer.Ordinal);
    private readonly byte[] _clusterHash;
    private readonly byte[] _serverHash;
    private readonly ILogger _logger;
    private readonly GatewayInterest _interest;
    private readonly IGatewayHost _host;
    private readonly Routes.Dialing.RouteConnectionSetup _setup;
    private readonly PeerSessions.PeerDialer _dialer;
    private IConnectionListener? _listener;
    private long _nextId;

    public GatewayManager(IGatewayHost host, GatewayOptions options)
    {
        Host = host;
        _host = host;
        Options = options;
        _logger = host.LoggerFactory.CreateLogger("Modular.Gateways");
        var serverPing = host.Options.Server.PingInterval;
        PingInterval = serverPing < MaxPingInterval ? serverPing : MaxPingInterval;
        ReplyPrefix = GatewayReply.Prefix(options.Name, host.ServerId);
        _clusterHash = System.Text.Encoding.ASCII.GetBytes(GatewayReply.Hash(options.Name));
        _serverHash = System.Text.Encoding.ASCII.GetBytes(GatewayReply.Hash(host.ServerId));
        _interest = new GatewayInterest(host.Accounts, options.Name);
        // TLS from the first byte, as for routes: the wrapper sees a server-to-server connection.
        _setup = new Routes.Dialing.RouteConnectionSetup(() => host.GatewayConnectionWrapper, _logger, _shutdown.Token);
        _dialer = new PeerSessions.PeerDialer(host.Transport, DialTimeout, _logger, "gateway", _shutdown.Token);
        foreach (var remote in options.Gateways.Where(r => r.Name != options.Name))
        {
            _remotes[remote.Name] = new RemoteGateway(remote.Name, remote.Urls, isImplicit: false);
        }
    }

    public IClusterHost Host { get; }

    public GatewayOptions Options { get; }

    public string Name => Options.Name;

    public TimeSpan PingInterval { get; }

    public byte[] ReplyPrefix { get; }

    /// <summary>The bound gateway listener address, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>This server's gateway URL (host:port) as other clusters are told it.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Registered outbound connections, one per remote cluster.</summary>
    public IReadOnlyList<GatewayConnection> GetOutbound() => _outbound.Values.OrderBy(c => c.RemoteCluster, StringComparer.Ordinal).ToList();

    /// <summary>Registered inbound connections.</summary>
    public IReadOnlyList<GatewayConnection> GetInbound() => _inbound.Values.Where(c => c.IsRegistered).OrderBy(c => c.Id).ToList();

    /// <summary>The remote clusters known (configured and learned), with their URLs.</summary>
    public IReadOnlyList<RemoteGateway> GetRemotes() => _remotes.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endPoint = new IPEndPoint(HostAddress.Parse(Options.Host), Options.Port);
        _listener = await Host.Transport.BindAsync(endPoint, cancellationToken).ConfigureAwait(false);
        EndPoint = (IPEndPoint)_listener.EndPoint;
        Url = Options.Advertise ?? $"{AdvertisedHost()}:{EndPoint.Port}";
        _logger.LogInformation("Gateway name is {name}", Name);
        _logger.LogInformation("Listening for gateways connections on {endpoint}", EndPoint);
        _background.Add(Task.Run(AcceptAsync));
        foreach (var remote in _remotes.Values)
        {
            StartDialing(remote);
        }
    }

    private string AdvertisedHost()
    {
        var address = HostAddress.Parse(Options.Host);
        if (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
        {
            return Options.Host;
        }

        // As nats-server: an any-address listener is announced with one of the machine's addresses.
        return Server.ClientUrlResolver.GlobalUnicastAddresses().FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)?.ToString() ?? "127.0.0.1";
    }

    public GatewayInfo BuildInfo() => new()
    {
        ServerId = Host.ServerId,
        ServerName = Host.ServerName,
        Version = Host.Version,
        Proto = 1,
        Go = Host.GoVersion,
        Host = Routes.RouteManager.TrySplitHostPort(Url, out var host, out _) ? host : Options.Host,
        Port = Routes.RouteManager.TrySplitHostPort(Url, out _, out var port) ? port : Options.Port,
        Headers = true,
        MaxPayload = Host.Options.Server.MaxPayload,
        TlsRequired = _host.GatewayConnectionWrapper?.RequiresTls == true,
        AuthRequired = _host.GatewayAuthenticator.IsRequired(Modular.Abstractions.Transport.ConnectionKind.Gateway),
        Gateway = Name,
        GatewayUrls = ClusterUrls(),
        NewReplyPrefix = true,
        InterestOnlyMode = true,
    };

    /// <summary>Where this cluster listens for gateways: this server's URL, then its route peers' (nats-server's gateway.URLs).</summary>
    public List<string> ClusterUrls()
    {
        var urls = new List<string> { Url };
        urls.AddRange(_clusterUrls.Values.Where(u => u != Url).Distinct().Order(StringComparer.Ordinal));
        return urls;
    }

    /// <summary>
    /// A route peer announced its gateway URL, or left (null). As nats-server's sendAsyncGatewayInfo,
    /// every inbound gateway is sent the new INFO, so the other clusters know every server of this
    /// one to dial when they lose their connection here.
    /// </summary>
    public void OnPeerGatewayUrl(string serverId, string? url)
    {
        var changed = url is null
            ? _clusterUrls.TryRemove(serverId, out _)
            : !_clusterUrls.TryGetValue(serverId, out var known) || known != url;
        if (url is not null)
        {
            _clusterUrls[serverId] = url;
            _serverByHash[GatewayReply.Hash(serverId)] = serverId;
        }
        else
        {
            _serverByHash.TryRemove(GatewayReply.Hash(serverId), out _);
        }

        if (!changed)
        {
            return;
        }

        var line = BuildInfo().ToLine();
        foreach (var connection in _inbound.Values)
        {
            if (connection.IsRegistered)
            {
                connection.SendRaw(line);
            }
        }
    }

    public Modular.Abstractions.Auth.IAuthenticator Authenticator => _host.GatewayAuthenticator;

    public Modular.Abstractions.Auth.RouteCredentials CredentialsFor(Uri url) => _host.GatewayCredentials.CredentialsFor(url);

    public bool Accepts(string remoteCluster) =>
        remoteCluster != Name && (!Options.RejectUnknown || Options.Gateways.Any(g => g.Name == remoteCluster));

    public bool TryRegisterOutbound(GatewayConnection connection, GatewayInfo info)
    {
        if (!_outbound.TryAdd(connection.RemoteCluster!, connection))
        {
            return false;
        }

        connection.Remote!.ReplaceAnnounced(RemoteGateway.ParseInfoUrls(info.GatewayUrls));

        // Tell this cluster's other servers, so each has its own outbound connection there (nats-server floods it over routes).
        _host.SendToRoutes(GossipLine(connection.Remote));
        return true;
    }

    /// <summary>INFO lines about every cluster this server has an outbound connection to, for a new route.</summary>
    public IReadOnlyList<byte[]> GossipForRoutes() =>
        _outbound.Values.Where(c => c.Remote is not null).Select(c => GossipLine(c.Remote!)).ToList();

    /// <summary>A route relayed a gateway another server of this cluster connected to.</summary>
    public void OnGossipFromRoute(string gateway, IReadOnlyList<string> urls)
    {
        if (!Options.RejectUnknown || Options.Gateways.Any(g => g.Name == gateway))
        {
            Learn(gateway, urls.ToList());
        }
    }

    // As nats-server: the id is not ours ("GW" + id), so an older server takes it for gossip of another server, not a route to us.
    private byte[] GossipLine(RemoteGateway remote) => new GatewayInfo
    {
        ServerId = "GW" + Host.ServerId,
        ServerName = Host.ServerName,
        Gateway = remote.Name,
        GatewayUrls = remote.Urls.Select(u => $"{u.Host}:{u.Port}").ToList(),
        Command = GatewayInfo.CommandGossip,
    }.ToLine();

    public void RegisterInbound(GatewayConnection connection, GatewayInfo info)
    {
        _inbound[connection.Id] = connection;
        _interest.Add(connection);

        // An inbound gateway from a cluster we do not dial yet: dial it back (an implicit gateway).
        if (connection.RemoteCluster is { } cluster)
        {
            Learn(cluster, info.GatewayUrls);
        }

        // Tell the dialer about every other cluster we know, so the super-cluster becomes a full mesh.
        foreach (var remote in _remotes.Values)
        {
            if (remote.Name == connection.RemoteCluster || remote.Urls.Count == 0)
            {
                continue;
            }

            connection.SendRaw(GossipLine(remote));
        }
    }

    public void OnGossip(GatewayInfo info)
    {
        if (info.Gateway is { } cluster && (!Options.RejectUnknown || Options.Gateways.Any(g => g.Name == cluster)))
        {
            Learn(cluster, info.GatewayUrls);
        }
    }

    /// <summary>Adds what an INFO says of <paramref name="cluster"/>'s URLs; a cluster not known yet is dialed as an implicit gateway.</summary>
    private void Learn(string cluster, List<string>? urls)
    {
        if (cluster == Name)
        {
            return;
        }

        var parsed = RemoteGateway.ParseInfoUrls(urls).ToList();
        if (_remotes.TryGetValue(cluster, out var known))
        {
            known.AddUrls(parsed);
            return;
        }

        if (parsed.Count == 0)
        {
            return;
        }

        var remote = new RemoteGateway(cluster, parsed, isImplicit: true);
        if (_remotes.TryAdd(cluster, remote))
        {
            _logger.LogInformation("Learned of gateway {cluster} at {urls}", cluster, string.Join(", ", parsed));
            StartDialing(remote);
        }
    }

    public bool ForwardsRoutedReply(ref RouteCommand command, Modular.Core.Delivery.FlushBatch batch)
    {
        var subject = command.Subject;
        if (!subject.Slice(GatewayReply.ClusterHashOffset, GatewayReply.HashLength).SequenceEqual(_clusterHash))
        {
            return true; // another cluster's reply: nats-server drops it too
        }

        var serverHash = subject.Slice(GatewayReply.ServerHashOffset, GatewayReply.HashLength);
        if (serverHash.SequenceEqual(_serverHash)
            || !_serverByHash.TryGetValue(System.Text.Encoding.ASCII.GetString(serverHash), out var serverId)
            || !_host.Accounts.TryGet(command.Account, out var account)
            || _host.RouteTo(serverId, account) is not { } route)
        {
            return false; // ours, or the origin is not reachable: delivered here by interest
        }

        // As it came, _GR_. prefix and all: the origin server delivers the reply it stands for.
        var message = new Modular.Core.Delivery.OutboundMessage(subject, command.Reply, command.HeaderSize, command.Payload);
        route.SendMessage(command.Account, message, null, batch);
        return true;
    }

    public void OnClosed(GatewayConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        _inbound.TryRemove(connection.Id, out _);
        _interest.Remove(connection);
        if (connection.RemoteCluster is { } cluster && _outbound.TryGetValue(cluster, out var registered) && ReferenceEquals(registered, connection))
        {
            _outbound.TryRemove(cluster, out _);
        }
    }

    /// <summary>Periodic: each connection's keep-alive clock.</summary>
    public void OnTimerTick(long nowTicks)
    {
        foreach (var connection in _connections.Values)
        {
            connection.OnTimerTick(nowTicks);
        }
    }

    private void StartDialing(RemoteGateway remote) => _background.Add(Task.Run(() => DialLoopAsync(remote)));

    /// <summary>
    /// Keeps one outbound connection to <paramref name="remote"/>: dials its URLs in turn, runs the
    /// connection until it closes, and dials again after a second. An implicit gateway is forgotten
    /// after connect_retries rounds that reached nothing (unless that cluster is connected to us).
    /// </summary>
    private async Task DialLoopAsync(RemoteGateway remote)
    {
        var failedRounds = 0;
        while (!_shutdown.IsCancellationRequested)
        {
            var connected = false;
            foreach (var url in remote.Urls.OrderBy(_ => Random.Shared.Next()))
            {
                if (_shutdown.IsCancellationRequested)
                {
                    return;
                }

                if (await _dialer.DialAsync(url, address => IsOwnListener(address, url)).ConfigureAwait(false) is not { } connection)
                {
                    continue;
                }

                connection.Features.Set(new DialedUrl(url));
                if (!await _setup.WrapAsync(connection, ConnectionRole.Dialed).ConfigureAwait(false))
                {
                    continue;
                }

                connected = true;
                var id = (ulong)Interlocked.Increment(ref _nextId);
                var gateway = new GatewayConnection(this, connection, id, remote, url, _logger);
                _connections[id] = gateway;
                await gateway.RunAsync().ConfigureAwait(false);
                break;
            }

            failedRounds = connected ? 0 : failedRounds + 1;
            if (remote.IsImplicit && failedRounds > Options.ConnectRetries && !_inbound.Values.Any(c => c.RemoteCluster == remote.Name))
            {
                _remotes.TryRemove(remote.Name, out _);
                _logger.LogInformation("Forgetting implicit gateway {cluster}", remote.Name);
                return;
            }

            try
            {
                await Task.Delay(RedialDelay + TimeSpan.FromMilliseconds(Random.Shared.Next(100)), _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // As ourselves: our own listener, reached on its address or, listening on any address, on loopback.
    private bool IsOwnListener(IPAddress address, Uri url) =>
        EndPoint is { } own && own.Port == url.Port && (own.Address.Equals(address) || (own.Address.Equals(IPAddress.Any) && IPAddress.IsLoopback(address)));

    private async Task AcceptAsync()
    {
        var listener = _listener!;
        while (!_shutdown.IsCancellationRequested)
        {
            ModularConnection? connection;
            try
            {
                connection = await listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Error accepting gateway connection");
                continue;
            }

            if (connection is null)
            {
                break;
            }

            _ = Task.Run(async () =>
            {
                if (!await _setup.WrapAsync(connection, ConnectionRole.Accepted).ConfigureAwait(false))
                {
                    return;
                }

                var id = (ulong)Interlocked.Increment(ref _nextId);
                var gateway = new GatewayConnection(this, connection, id, remote: null, url: null, _logger);
                _connections[id] = gateway;
                await gateway.RunAsync().ConfigureAwait(false);
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _shutdown.Cancel();
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        await PeerSessions.PeerShutdown.CloseAllAsync(_connections, _background).ConfigureAwait(false);
    }
}
