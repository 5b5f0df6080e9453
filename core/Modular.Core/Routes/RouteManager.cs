using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Pooling;
using Modular.Abstractions.Transport;
using Modular.Core.Config;
using Modular.Core.Server;

namespace Modular.Core.Routes;

/// <summary>
/// The cluster side of a server: the route listener, the dialers that keep configured routes up,
/// the registry of peers and their pool slots, and interest propagation. Split by concern: this
/// file holds identity and lifecycle; dialing, registration and interest sit in partial files.
/// Lock order: an account's interest gate, then this manager's lock, then a connection's output
/// gate; nothing takes them the other way round.
/// </summary>
public sealed partial class RouteManager : IAsyncDisposable, IRouteDialer
{
    /// <summary>The system account, pinned to its own route when pooling, as nats-server does.</summary>
    public const string SystemAccount = "$SYS";

    private static readonly TimeSpan MaxPingInterval = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping server lets its routes send what is queued to the peers.</summary>
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly object _lock = new();
    private readonly Dictionary<string, RemotePeer> _peers = new(StringComparer.Ordinal);
    private readonly List<RouteConnection> _routes = new();

    // Replaced whole (never changed in place) when a reload pins or unpins accounts, so readers need no lock.
    private volatile HashSet<string> _pinnedAccounts;
    private readonly CancellationTokenSource _shutdown = new();
    // Dialers and accept loop, awaited at shutdown; added from any thread (dialers start dialers).
    private readonly System.Collections.Concurrent.ConcurrentBag<Task> _background = new();
    private readonly ILogger _logger;
    private IConnectionListener? _listener;
    private long _nextRouteId;
    private string _clusterName;
    private bool _clusterNameDynamic;

    public RouteManager(
        NatsServer server,
        ClusterOptions options,
        IRouteDiscovery? discovery = null,
        IRoutePoolingPolicy? pooling = null,
        IRouteCredentialsProvider? credentials = null,
        IAuthenticator? authenticator = null)
    {
        Server = server;
        Options = options;
        Discovery = discovery ?? new StaticRouteDiscovery(options.Routes);
        Pooling = pooling ?? FnvPoolingPolicy.Instance;
        Credentials = credentials ?? UrlRouteCredentials.Instance;
        Authenticator = authenticator ?? OpenRouteAuthenticator.Instance;
        _logger = server.LoggerFactory.CreateLogger("Modular.Routes");
        LocalPoolSize = options.PoolSize < 0 ? 0 : options.PoolSize == 0 ? 3 : options.PoolSize;
        _pinnedAccounts = PinnedSetFor(Pooling);
        foreach (var account in _pinnedAccounts)
        {
            server.Accounts.GetOrAdd(account);
        }

        _clusterNameDynamic = string.IsNullOrEmpty(options.Name);
        _clusterName = _clusterNameDynamic ? NewClusterName() : options.Name!;
        PingInterval = options.PingInterval < MaxPingInterval ? options.PingInterval : MaxPingInterval;
    }

    public NatsServer Server { get; }

    public ClusterOptions Options { get; }

    public IRouteDiscovery Discovery { get; }

    /// <summary>The pooling policy; a config reload may replace it (see <see cref="ReloadPoliciesAsync"/>).</summary>
    public IRoutePoolingPolicy Pooling { get; private set; }

    public IRouteCredentialsProvider Credentials { get; private set; }

    /// <summary>The compression strategy; null when no plugin serves it (routes stay plain, INFO says nothing).</summary>
    public ICompressionProvider? Compression => Server.Seams.Compression;

    public IAuthenticator Authenticator { get; private set; }

    /// <summary>Pooled connections per peer; 0 when pooling is off (pool_size -1, one route per peer).</summary>
    public int LocalPoolSize { get; }

    public bool IsPooling => LocalPoolSize > 0;

    public TimeSpan PingInterval { get; }

    public string ClusterName
    {
        get
        {
            lock (_lock)
            {
                return _clusterName;
            }
        }
    }

    public bool IsClusterNameDynamic
    {
        get
        {
            lock (_lock)
            {
                return _clusterNameDynamic;
            }
        }
    }

    /// <summary>The bound route listener address, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public bool IsPinned(string account) => _pinnedAccounts.Contains(account);

    public IReadOnlyCollection<string> PinnedAccounts => _pinnedAccounts;

    /// <summary>The accounts with routes of their own: the system account and the policy's, when pooling.</summary>
    private HashSet<string> PinnedSetFor(IRoutePoolingPolicy pooling)
    {
        var pinned = new HashSet<string>(StringComparer.Ordinal);
        if (IsPooling)
        {
            pinned.Add(SystemAccount);
            pinned.UnionWith(pooling.DedicatedAccounts);
        }

        return pinned;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endPoint = new IPEndPoint(NatsServer.ParseHost(Options.Host), Options.Port);
        _listener = await Server.Transport.BindAsync(endPoint, cancellationToken).ConfigureAwait(false);
        EndPoint = (IPEndPoint)_listener.EndPoint;
        _logger.LogInformation("Cluster name is {cluster}{dynamic}", ClusterName, IsClusterNameDynamic ? " (dynamic)" : "");
        _logger.LogInformation("Listening for route connections on {endpoint}", EndPoint);
        _background.Add(Task.Run(AcceptRoutesAsync));
        _explicitRoutes = Discovery.InitialRoutes.ToArray();
        foreach (var url in _explicitRoutes)
        {
            StartSolicitor(new RouteDialTarget(url, IsConfigured: true, PinnedAccount: null));
        }

        Discovery.Attach(this);
    }

    /// <inheritdoc />
    public void Dial(Uri url, bool isExplicit)
    {
        lock (_lock)
        {
            if (_pooledDialers.GetValueOrDefault(url.ToString()) > 0)
            {
                return;
            }
        }

        StartSolicitor(new RouteDialTarget(url, isExplicit, PinnedAccount: null));
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> ConnectedServerIds
    {
        get
        {
            lock (_lock)
            {
                return _peers.Keys.ToArray();
            }
        }
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

        var monitorUrl = MonitorAddress.For(Server.Options.Monitor, Server.MonitorEndPoint, advertise, via?.LocalEndPoint?.Address);

        // Our client URLs, so peers list us to their clients; none in lame duck mode (clients should leave, not come).
        IReadOnlyList<string> clientUrls = Options.NoAdvertise ? [] : Server.ClientUrls.Own;
        lock (_lock)
        {
            return new RouteInfo
            {
                ServerId = Server.ServerId,
                ServerName = Server.ServerName,
                Version = NatsServer.ServerVersion,
                Proto = 1,
                Go = Server.ClientInfo.Go,
                Host = host,
                Port = port,
                Ip = advertise is null ? null : $"nats-route://{host}:{port}/",
                Headers = true,
                AuthRequired = Authenticator.IsRequired(ConnectionKind.Route),
                MaxPayload = Server.Options.Server.MaxPayload,
                Cluster = _clusterName,
                ClusterDynamic = _clusterNameDynamic,
                ConnectUrls = clientUrls.Count == 0 ? null : clientUrls.ToList(),
                Lnoc = true,
                Lnocu = true,
                RoutePoolSize = LocalPoolSize,
                Compression = Compression?.AdvertisedMode is { } mode && mode != "not supported" ? mode : null,
                MonitorUrl = monitorUrl,
            };
        }
    }

    /// <summary>
    /// Adopts a peer's cluster name when ours is dynamic and (theirs is static, or ours sorts
    /// first): dynamic servers converge on one name and a static name always wins. Other routes
    /// are closed so they reconnect under the new name. False when the names stay in conflict.
    /// </summary>
    public bool TryAdoptClusterName(string? theirs, bool theirsDynamic, RouteConnection via)
    {
        if (string.IsNullOrEmpty(theirs))
        {
            return false;
        }

        List<RouteConnection> others;
        lock (_lock)
        {
            if (theirs == _clusterName)
            {
                return true;
            }

            if (!_clusterNameDynamic || (theirsDynamic && string.CompareOrdinal(_clusterName, theirs) >= 0))
            {
                return false;
            }

            _logger.LogInformation("Cluster name updated to {cluster}", theirs);
            _clusterName = theirs;
            _clusterNameDynamic = theirsDynamic;
            others = _routes.Where(r => !ReferenceEquals(r, via)).ToList();
        }

        foreach (var route in others)
        {
            route.BeginClose(RouteCloseReason.ClusterNameConflict, flushFirst: false);
        }

        return true;
    }

    /// <summary>Called by the server's housekeeping timer.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        RouteConnection[] routes;
        lock (_lock)
        {
            routes = _connecting.Count == 0 ? _routes.ToArray() : _routes.Concat(_connecting).ToArray();
        }

        foreach (var route in routes)
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

        RouteConnection[] routes;
        lock (_lock)
        {
            routes = _routes.Concat(_connecting).ToArray();
        }

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

    private static string NewClusterName()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> name = stackalloc char[22];
        for (var i = 0; i < name.Length; i++)
        {
            name[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return new string(name);
    }

    internal static bool TrySplitHostPort(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon < 0 ? text : text[..colon];
        port = 0;
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), out port);
    }
}
