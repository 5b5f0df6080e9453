using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Auth;
using Modular.Core.Clients;
using Modular.Core.Config;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Core.Transport;

namespace Modular.Core.Server;

/// <summary>
/// One Modular server: the client listener, accounts, client sessions, routes and housekeeping
/// timers (HTTP monitoring runs beside it, in Modular.Monitoring). Embeddable; the `modular` host is a thin shell over it. Seams (transport, auth)
/// are passed in, with the built-in defaults when not given.
/// </summary>
public sealed partial class NatsServer : IAsyncDisposable
{
    /// <summary>The nats-server protocol level we speak; reported as "version" so clients enable what it implies.</summary>
    public const string ServerVersion = "2.10.0";

    private const int ClosedClientsKept = 1000;
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<ulong, ClientConnection> _clients = new();
    private readonly ConcurrentQueue<ClientSnapshot> _closedClients = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<Task> _background = new();
    private readonly ILogger _logger;
    private IConnectionListener? _clientListener;
    private long _nextClientId;
    private int _disposed;

    public NatsServer(ModularOptions options, ILoggerFactory loggerFactory, ServerSeams? seams = null)
    {
        Options = options;
        LoggerFactory = loggerFactory;
        Seams = seams ?? new ServerSeams();
        _logger = loggerFactory.CreateLogger("Modular.Server");
        Transport = Seams.Transport ?? TcpTransport.Instance;
        Authenticator = Seams.ClientAuthenticator ?? new ConfiguredUsersAuthenticator(options);
        ServerId = ServerIdentity.NewServerId();
        ServerName = options.Server.Name ?? ServerId;
        Accounts = new AccountRegistry(options.Accounts.Keys);
        ClientInfo = BuildClientInfo(options.Server.Port);
    }

    public ModularOptions Options { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>What plugins supplied for each seam (null entries use the built-in defaults); a reload may replace some.</summary>
    public ServerSeams Seams { get; private set; }

    public ITransport Transport { get; }

    public IAuthenticator Authenticator { get; private set; }

    public string ServerId { get; }

    public string ServerName { get; }

    public DateTime StartTime { get; private set; } = DateTime.UtcNow;

    public AccountRegistry Accounts { get; }

    public ServerStatistics Statistics { get; } = new();

    /// <summary>The INFO clients get, with the real bound port once started.</summary>
    public ServerInfo ClientInfo { get; private set; }

    /// <summary>The bound client listener address (with the real port), once started.</summary>
    public IPEndPoint? ClientEndPoint { get; private set; }

    /// <summary>
    /// The bound monitoring address, set by whoever serves monitoring beside this server (the engine
    /// has no HTTP of its own); null when monitoring is off. Route INFO announces it as <c>monitor_url</c>.
    /// </summary>
    public IPEndPoint? MonitorEndPoint { get; set; }

    /// <summary>The cluster side; null when the server runs alone (no <c>[cluster]</c>).</summary>
    public RouteManager? Routes { get; private set; }

    /// <summary>The gateways side; null when the cluster is not part of a super-cluster (no <c>[gateway]</c>).</summary>
    public Gateways.GatewayManager? Gateways { get; private set; }

    /// <summary>The leaf node side; null without <c>[leafnodes]</c>.</summary>
    public Leafnodes.LeafnodeManager? Leafnodes { get; private set; }

    /// <summary>True while the client listener accepts connections (for /healthz).</summary>
    public bool IsAcceptingClients { get; private set; }

    public int ClientCount => _clients.Count;

    public IReadOnlyList<ClientSnapshot> GetClients()
    {
        var list = new List<ClientSnapshot>(_clients.Count);
        foreach (var client in _clients.Values)
        {
            list.Add(client.Snapshot());
        }

        list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    /// <summary>Recently closed clients, oldest first, with stop time and reason.</summary>
    public IReadOnlyList<ClientSnapshot> GetClosedClients() => _closedClients.ToArray();

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var serverOptions = Options.Server;
        StartTime = DateTime.UtcNow;
        var endPoint = new IPEndPoint(HostAddress.Parse(serverOptions.Host), serverOptions.Port);
        _clientListener = await Transport.BindAsync(endPoint, cancellationToken).ConfigureAwait(false);
        ClientEndPoint = (IPEndPoint)_clientListener.EndPoint;
        ResolveOwnClientUrls(ClientEndPoint.Port);
        RefreshClientInfo();
        IsAcceptingClients = true;
        _logger.LogInformation("Starting modular {version}, server id {serverId}, name {serverName}", ServerVersion, ServerId, ServerName);
        _logger.LogInformation("Listening for client connections on {endpoint}", ClientEndPoint);

        if (Options.Leafnodes is not null)
        {
            // The leaf listener first, as nats-server: the route INFO names its URL (leafnode_urls).
            Leafnodes = new Leafnodes.LeafnodeManager(this, Options.Leafnodes);
            await Leafnodes.ListenAsync(cancellationToken).ConfigureAwait(false);
        }

        // Gateways before routes, as nats-server: the route INFO carries this server's gateway URL (gateway_url).
        if (Options.Gateway is not null)
        {
            Gateways = new Gateways.GatewayManager(this, Options.Gateway);
            await Gateways.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Options.Cluster is not null)
        {
            Routes = new RouteManager(this, Options.Cluster, Seams.Discovery, Seams.Pooling, Seams.RouteCredentials, Seams.RouteAuthenticator);
            await Routes.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Leafnodes is not null)
        {
            await Leafnodes.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        _background.Add(Task.Run(AcceptClientsAsync));
        _background.Add(Task.Run(HousekeepingAsync));
        _logger.LogInformation("Server is ready");
    }

    private async Task AcceptClientsAsync()
    {
        var listener = _clientListener!;
        while (!_shutdown.IsCancellationRequested)
        {
            ModularConnection? connection;
            try
            {
                connection = await listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (Volatile.Read(ref _clientListener) is null)
            {
                // Lame duck mode closed the listener under us.
                _logger.LogDebug(e, "Client listener closed");
                break;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Error accepting client connection");
                continue;
            }

            if (connection is null)
            {
                break;
            }

            var id = (ulong)Interlocked.Increment(ref _nextClientId);
            Interlocked.Increment(ref Statistics.TotalConnections);
            if (_clients.Count >= Options.Server.MaxConnections)
            {
                _ = RejectAsync(connection, ErrorMessages.MaxConnectionsExceeded);
                continue;
            }

            var client = new ClientConnection(this, connection, id, _logger);
            _clients[id] = client;
            _logger.LogDebug("cid:{cid} - {remote} - Client connection created", id, connection.RemoteEndPoint);
            _ = Task.Run(client.RunAsync);
        }
    }

    private static async Task RejectAsync(ModularConnection connection, string error)
    {
        try
        {
            await connection.Transport.Output.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"-ERR '{error}'\r\n")).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One timer for every connection's deadlines, instead of timers per connection.</summary>
    private async Task HousekeepingAsync()
    {
        using var timer = new PeriodicTimer(TimerPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(_shutdown.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var client in _clients.Values)
                {
                    client.OnTimerTick(now);
                }

                Routes?.OnTimerTick(now);
                Gateways?.OnTimerTick(now);
                Leafnodes?.OnTimerTick(now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal void OnClientClosed(ClientConnection client, ClientSnapshot snapshot)
    {
        _clients.TryRemove(client.Id, out _);
        _closedClients.Enqueue(snapshot);
        while (_closedClients.Count > ClosedClientsKept && _closedClients.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        IsAcceptingClients = false;
        _shutdown.Cancel();
        if (_clientListener is not null)
        {
            await _clientListener.DisposeAsync().ConfigureAwait(false);
        }

        // Clients first, each sent what is queued to it; then routes, which by then also carry what
        // those clients published last. The other way round, a client's last messages find the
        // routes gone.
        foreach (var client in _clients.Values)
        {
            client.BeginClose(CloseReason.ServerShutdown, flushFirst: true);
        }

        var deadline = Environment.TickCount64 + 2000;
        while (!_clients.IsEmpty && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        // The housekeeping timer that ends slow closes has stopped: end those still flushing.
        foreach (var client in _clients.Values)
        {
            client.AbortClose();
        }

        if (Leafnodes is not null)
        {
            await Leafnodes.DisposeAsync().ConfigureAwait(false);
        }

        if (Gateways is not null)
        {
            await Gateways.DisposeAsync().ConfigureAwait(false);
        }

        if (Routes is not null)
        {
            await Routes.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_background).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _logger.LogInformation("Server exiting");
    }

    private ServerInfo BuildClientInfo(int port)
    {
        var (host, infoPort) = ClientUrlResolver.InfoHostPort(Options.Server.Advertise, Options.Server.Host, port);
        // The version first: a change landing in between makes it look older than it is, so clients resend rather than miss it.
        var urlsVersion = ClientUrls.Version;
        return new()
        {
            ServerId = ServerId,
            ServerName = ServerName,
            Version = ServerVersion,
            Host = host,
            Port = infoPort,
            AuthRequired = Authenticator.IsRequired(ConnectionKind.Client),
            TlsRequired = Seams.ClientConnectionWrapper?.RequiresTls == true,
            MaxPayload = Options.Server.MaxPayload,
            ConnectUrls = ClientUrls.Advertised,
            ConnectUrlsVersion = urlsVersion,
        };
    }
}
