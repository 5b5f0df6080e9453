using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Config;
using Modular.Core.Routes;
using Modular.Core.Transport;

namespace Modular.Core.Leafnodes;

/// <summary>
/// The leaf node side of a server (nats-server leafnode.go): the leaf listener, one dial loop per
/// configured remote (with failover over the hub's <c>leafnode_urls</c>), the logins leaf nodes bind
/// to accounts with, each account's loop-detection subject, and the registry of leaf connections.
/// Messages and interest need nothing here: a leaf connection is a peer on its account's index.
/// </summary>
public sealed class LeafnodeManager : ILeafSessionHost, IAsyncDisposable
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(2);

    // The wrapper has its own (configured) handshake timeout; this bounds a wrapper that has none.
    private static readonly TimeSpan UpgradeTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentBag<Task> _background = new();
    private readonly ConcurrentDictionary<ulong, LeafConnection> _connections = new();
    private readonly ConcurrentDictionary<string, string> _loopSubjects = new(StringComparer.Ordinal);
    private readonly List<RemoteLeaf> _remotes;
    private readonly ILogger _logger;
    private IConnectionListener? _listener;
    private long _nextId;
    private static readonly TimeSpan UrlCheckEvery = TimeSpan.FromSeconds(1);
    private long _nextUrlCheck;
    private List<string> _announcedUrls = [];

    private readonly ILeafnodeHost _seams;

    public LeafnodeManager(ILeafnodeHost host, LeafnodeOptions options)
    {
        Host = host;
        _seams = host;
        Options = options;
        _logger = host.LoggerFactory.CreateLogger("Modular.Leafnodes");
        PingInterval = host.Options.Server.PingInterval;
        _remotes = options.Remotes.Where(r => r.Urls.Count > 0).Select(r => new RemoteLeaf(r.Urls, r.Account ?? Account.GlobalName, r.DenyImports, r.DenyExports)
        {
            CredentialsFile = r.CredentialsFile,
            NkeySeed = r.NkeySeed,
        }).ToList();
    }

    public IClusterHost Host { get; }

    public LeafnodeOptions Options { get; }

    public TimeSpan PingInterval { get; }

    public string? ClusterName => Host.Options.Cluster?.Name is { Length: > 0 } name ? name : null;

    /// <summary>The bound leaf listener address; null without one.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>This server's leaf URL (host:port) as leaf nodes are told it.</summary>
    public string Url { get; private set; } = "";

    public IReadOnlyList<RemoteLeaf> Remotes => _remotes;

    /// <summary>Registered leaf connections, both sides, by id.</summary>
    public IReadOnlyList<LeafConnection> GetConnections() => _connections.Values.Where(c => c.IsRegistered).OrderBy(c => c.Id).ToList();

    /// <summary>
    /// Binds the leaf listener, before routes start (as nats-server), so the route INFO can name this
    /// server's leaf URL (<c>leafnode_urls</c>) from the first route on.
    /// </summary>
    public async Task ListenAsync(CancellationToken cancellationToken)
    {
        if (Options.Host is { } listenHost)
        {
            var endPoint = new IPEndPoint(HostAddress.Parse(listenHost), Options.Port);
            _listener = await Host.Transport.BindAsync(endPoint, cancellationToken).ConfigureAwait(false);
            EndPoint = (IPEndPoint)_listener.EndPoint;
            Url = Options.Advertise ?? $"{AdvertisedHost(listenHost)}:{EndPoint.Port}";
            _logger.LogInformation("Listening for leafnode connections on {endpoint}", EndPoint);
            _background.Add(Task.Run(AcceptAsync));
        }
    }

    /// <summary>Starts dialing the remotes (after <see cref="ListenAsync"/>).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var remote in _remotes)
        {
            _background.Add(Task.Run(() => DialLoopAsync(remote)));
        }

        return Task.CompletedTask;
    }

    private static string AdvertisedHost(string listenHost)
    {
        var address = HostAddress.Parse(listenHost);
        if (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
        {
            return listenHost;
        }

        return Server.ClientUrlResolver.GlobalUnicastAddresses().FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)?.ToString() ?? "127.0.0.1";
    }

    public LeafInfo BuildInfo(ulong connectionId) => new()
    {
        ServerId = Host.ServerId,
        ServerName = Host.ServerName,
        Version = Host.Version,
        Proto = 1,
        Go = Host.GoVersion,
        Host = RouteManager.TrySplitHostPort(Url, out var host, out _) ? host : Options.Host,
        Port = RouteManager.TrySplitHostPort(Url, out _, out var port) ? port : Options.Port,
        Headers = true,
        AuthRequired = Authenticator is { } authenticator ? authenticator.IsRequired(ConnectionKind.Leafnode) : Options.Users.Count > 0 || HasAccountUsers,
        TlsRequired = HasTls,
        MaxPayload = Host.Options.Server.MaxPayload,
        ClientId = connectionId,
        Nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(11)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        Cluster = ClusterName,
        LeafnodeUrls = LeafnodeUrls(),
    };

    /// <summary>This server's leaf URL and those its route peers announced (route INFO leafnode_urls): a leaf fails over to any of them.</summary>
    private List<string> LeafnodeUrls()
    {
        var urls = new List<string> { Url };
        foreach (var url in _seams.PeerLeafnodeUrls)
        {
            if (!urls.Contains(url))
            {
                urls.Add(url);
            }
        }

        return urls;
    }

    public bool HasTls => _seams.LeafConnectionWrapper is { RequiresTls: true };

    public async Task<string?> UpgradeAsync(ModularConnection connection, ConnectionRole role, Uri? dialed)
    {
        if (_seams.LeafConnectionWrapper is not { } wrapper)
        {
            return "the hub requires TLS (tls_required), and this server has no [leafnodes.tls]";
        }

        if (dialed is not null)
        {
            connection.Features.Set(new DialedUrl(dialed));
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
            timeout.CancelAfter(UpgradeTimeout);
            await wrapper.WrapAsync(connection, ConnectionKind.Leafnode, role, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    private bool HasAccountUsers => Host.Options.Accounts.Values.Any(a => a.Users.Count > 0);

    public Account? Authenticate(LeafConnectInfo connect, string nonce, out string? error)
    {
        error = Protocol.ErrorMessages.AuthorizationViolation;
        if (Options.Users.Count > 0)
        {
            // As nats-server: a CONNECT with an nkey is an nkey login (the nonce signed with its seed), else user and password.
            var login = connect.Nkey is { Length: > 0 } nkey
                ? Options.Users.FirstOrDefault(u => u.Nkey == nkey && LeafCredentials.Verifies(nkey, nonce, connect.Signature))
                : Options.Users.FirstOrDefault(u => u.Nkey is null && u.User == connect.User && u.Password == connect.Password);
            return login is null ? null : Bind(login.Account ?? Account.GlobalName);
        }

        if (HasAccountUsers)
        {
            // As nats-server without leafnode authorization: a leaf logs in as one of the server's users.
            foreach (var (name, account) in Host.Options.Accounts)
            {
                if (account.Users.Any(u => u.User == connect.User && u.Password == connect.Password))
                {
                    return Bind(name);
                }
            }

            return null;
        }

        error = null;
        return Host.Accounts.Global;
    }

    public IAuthenticator? Authenticator => _seams.LeafAuthenticator;

    public Account Bind(string name) => Host.Accounts.TryGet(name, out var account) ? account : Host.Accounts.GetOrAdd(name);

    public string LoopDetectionSubject(Account account) =>
        _loopSubjects.GetOrAdd(account.Name, static _ => "$LDS." + Convert.ToHexString(RandomNumberGenerator.GetBytes(11)));

    public void Register(LeafConnection connection)
    {
        _connections[connection.Id] = connection;

        // A new connection from the same server (and account) replaces the old one, as nats-server does.
        foreach (var other in _connections.Values)
        {
            if (!ReferenceEquals(other, connection) && other.IsRegistered && other.RemoteServerId is { } id && id == connection.RemoteServerId
                && ReferenceEquals(other.Account, connection.Account))
            {
                _logger.LogInformation("lid:{lid} - Replacing leafnode connection {old} from {remote}", connection.Id, other.Id, connection.RemoteName);
                other.BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
            }
        }
    }

    public void OnClosed(LeafConnection connection) => _connections.TryRemove(connection.Id, out _);

    public void OnTimerTick(long nowTicks)
    {
        foreach (var connection in _connections.Values)
        {
            connection.OnTimerTick(nowTicks);
        }

        if (_listener is not null && Environment.TickCount64 >= _nextUrlCheck)
        {
            _nextUrlCheck = Environment.TickCount64 + (long)UrlCheckEvery.TotalMilliseconds;
            AnnounceLeafnodeUrlsIfChanged();
        }
    }

    /// <summary>
    /// A route peer with a leaf listener came or went: the leaf nodes we are the hub of get an INFO with
    /// the new leafnode_urls (as nats-server's async leafnode INFO), so they can fail over to a server
    /// they never had configured. Checked on the timer, once a second.
    /// </summary>
    private void AnnounceLeafnodeUrlsIfChanged()
    {
        var urls = LeafnodeUrls();
        if (urls.SequenceEqual(_announcedUrls))
        {
            return;
        }

        var first = _announcedUrls.Count == 0;
        _announcedUrls = urls;
        var told = 0;
        foreach (var connection in _connections.Values)
        {
            if (connection.IsRegistered && !connection.IsSpoke && !connection.IsClosing)
            {
                var info = BuildInfo(connection.Id);
                info.LeafnodeUrls = urls;
                connection.SendRaw(info.ToLine());
                told++;
            }
        }

        if (!first || told > 0)
        {
            _logger.LogInformation("Leafnode URLs now [{urls}]; sent INFO to {told} leaf node(s)", string.Join(", ", urls), told);
        }
    }

    /// <summary>Keeps one connection to the remote's hub: dials its URLs in turn, runs the connection, waits, dials again.</summary>
    private async Task DialLoopAsync(RemoteLeaf remote)
    {
        while (!_shutdown.IsCancellationRequested)
        {
            var url = remote.NextUrl();
            if (await new PeerSessions.PeerDialer(Host.Transport, DialTimeout, _logger, "leafnode remote", _shutdown.Token).DialAsync(url).ConfigureAwait(false) is { } connection)
            {
                // TLS, when [leafnodes.tls] asks for it, is an upgrade after the hub's INFO (LeafConnection).
                var id = (ulong)Interlocked.Increment(ref _nextId);
                var leaf = new LeafConnection(this, connection, id, remote, url, _logger);
                _connections[id] = leaf;
                await leaf.RunAsync().ConfigureAwait(false);
            }

            try
            {
                await Task.Delay(remote.TakeDelay() + TimeSpan.FromMilliseconds(Random.Shared.Next(100)), _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

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
                _logger.LogError(e, "Error accepting leafnode connection");
                continue;
            }

            if (connection is null)
            {
                break;
            }

            _ = Task.Run(async () =>
            {
                var id = (ulong)Interlocked.Increment(ref _nextId);
                var leaf = new LeafConnection(this, connection, id, remote: null, url: null, _logger);
                _connections[id] = leaf;
                await leaf.RunAsync().ConfigureAwait(false);
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
