using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;

namespace Modular.Core.Routes.Dialing;

/// <summary>
/// Keeps dialed routes up: one loop per target (a URL, or a URL and a pinned account), with DNS,
/// self-detection, backoff and retry limits. Explicit routes are redialed for ever, implicit ones
/// within connect_retries. What runs on a connection once it is up is the cluster's
/// (<see cref="RunConnection"/>). Its lock is a leaf.
/// </summary>
public sealed class RouteDialer
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ConnectDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxConnectDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();

    // How many dialers run per URL (pooled slots) and which (URL, account) pairs have a pinned dialer.
    private readonly Dictionary<string, int> _pooledDialers = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _pinnedDialers = new(StringComparer.OrdinalIgnoreCase);

    // Configured route URLs a reload removed: their dialers stop at the next attempt.
    private readonly HashSet<string> _removedRoutes = new(StringComparer.OrdinalIgnoreCase);

    private readonly ITransport _transport;
    private readonly RouteConnectionSetup _setup;
    private readonly Func<IPEndPoint?> _ownEndPoint;
    private readonly int _connectRetries;
    private readonly bool _connectBackoff;
    private readonly ILogger _logger;
    private readonly CancellationToken _shutdown;
    private readonly ConcurrentBag<Task> _background;

    /// <param name="runConnection">Runs a dialed connection until it closes; says why it closed.</param>
    public RouteDialer(
        ITransport transport,
        RouteConnectionSetup setup,
        Func<IPEndPoint?> ownEndPoint,
        int connectRetries,
        bool connectBackoff,
        Func<ModularConnection, RouteDialTarget, Task<RouteCloseReason>> runConnection,
        ILogger logger,
        ConcurrentBag<Task> background,
        CancellationToken shutdown)
    {
        _transport = transport;
        _setup = setup;
        _ownEndPoint = ownEndPoint;
        _connectRetries = connectRetries;
        _connectBackoff = connectBackoff;
        RunConnection = runConnection;
        _logger = logger;
        _background = background;
        _shutdown = shutdown;
    }

    private Func<ModularConnection, RouteDialTarget, Task<RouteCloseReason>> RunConnection { get; }

    // The URLs dialed as explicit routes (the discovery's initial routes plus reload changes).
    private volatile Uri[] _explicitRoutes = [];

    public IReadOnlyList<Uri> ExplicitRoutes => _explicitRoutes;

    /// <summary>Dials the explicit routes.</summary>
    public void Start(IEnumerable<Uri> explicitRoutes)
    {
        _explicitRoutes = explicitRoutes.ToArray();
        foreach (var url in _explicitRoutes)
        {
            Dial(new RouteDialTarget(url, IsConfigured: true, PinnedAccount: null));
        }
    }

    /// <summary>True while a pooled dialer runs for the URL.</summary>
    public bool IsDialing(Uri url) => PooledDialerCount(url) > 0;

    public int PooledDialerCount(Uri url)
    {
        lock (_lock)
        {
            return _pooledDialers.GetValueOrDefault(url.ToString());
        }
    }

    /// <summary>True when the URL is one of our explicit routes (it is being dialed already).</summary>
    public bool IsExplicit(Uri url)
    {
        foreach (var configured in _explicitRoutes)
        {
            if (string.Equals(configured.Host, url.Host, StringComparison.OrdinalIgnoreCase) && configured.Port == url.Port)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts a dialer that keeps one logical connection to the target up (a second pinned dialer for one target is not started).</summary>
    public void Dial(RouteDialTarget target)
    {
        lock (_lock)
        {
            if (target.PinnedAccount is null)
            {
                _pooledDialers[target.Url.ToString()] = _pooledDialers.GetValueOrDefault(target.Url.ToString()) + 1;
            }
            else if (!_pinnedDialers.Add(PinnedKey(target)))
            {
                return;
            }
        }

        _background.Add(Task.Run(() => SolicitLoopAsync(target)));
    }

    /// <summary>
    /// A reloaded routes list: removed URLs' dialers stop at their next attempt, added ones are
    /// dialed. Returns what was added and removed.
    /// </summary>
    public (List<Uri> Added, List<Uri> Removed) Reload(IReadOnlyList<Uri> current, IReadOnlyList<Uri> routes)
    {
        var added = routes.Where(url => !current.Any(c => SameRoute(c, url))).ToList();
        var removed = current.Where(url => !routes.Any(n => SameRoute(n, url))).ToList();
        lock (_lock)
        {
            foreach (var url in removed)
            {
                _removedRoutes.Add(url.ToString());
            }

            foreach (var url in added)
            {
                _removedRoutes.Remove(url.ToString());
            }

            _explicitRoutes = _explicitRoutes.Where(url => !removed.Any(r => SameRoute(r, url))).Concat(added).ToArray();
        }

        return (added, removed);
    }

    public static bool SameRoute(Uri a, Uri b) =>
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port && a.UserInfo == b.UserInfo;

    private static string PinnedKey(RouteDialTarget target) => target.Url + "|" + target.PinnedAccount;

    private bool IsRemovedRoute(RouteDialTarget target)
    {
        lock (_lock)
        {
            return target.IsConfigured && _removedRoutes.Contains(target.Url.ToString());
        }
    }

    private async Task SolicitLoopAsync(RouteDialTarget target)
    {
        var failures = 0;
        var connectedBefore = false;
        var retries = target.IsConfigured ? int.MaxValue : _connectRetries;
        var delay = ConnectDelay;
        try
        {
            while (!_shutdown.IsCancellationRequested && !IsRemovedRoute(target))
            {
                var (connection, onlySelf) = await TryDialAsync(target.Url).ConfigureAwait(false);
                if (onlySelf)
                {
                    // A configured route that points back at this server (all nodes often share one list).
                    _logger.LogDebug("Route {url} is this server, not dialing it", Redacted(target.Url));
                    return;
                }

                if (connection is null)
                {
                    failures++;

                    // As nats-server: before the first success, the first failure and then every 3600th;
                    // after a disconnect, every failure (reconnect_error_reports = 1).
                    if (connectedBefore || failures == 1 || failures % 3600 == 0)
                    {
                        _logger.LogError("Error trying to connect to route {url} (attempt {attempt})", Redacted(target.Url), failures);
                    }

                    if (!target.IsConfigured && failures > retries)
                    {
                        _logger.LogInformation("Giving up on learned route {url} after {attempts} attempts", Redacted(target.Url), failures);
                        return;
                    }

                    await Task.Delay(delay, _shutdown).ConfigureAwait(false);
                    if (_connectBackoff)
                    {
                        delay = delay * 2 > MaxConnectDelay ? MaxConnectDelay : delay * 2;
                    }

                    continue;
                }

                connectedBefore = true;
                if (target.IsConfigured)
                {
                    failures = 0;
                }

                delay = ConnectDelay;
                connection.Features.Set(new DialedUrl(target.Url));
                if (!await _setup.WrapAsync(connection, ConnectionRole.Dialed).ConfigureAwait(false))
                {
                    await Task.Delay(ConnectDelay, _shutdown).ConfigureAwait(false);
                    continue;
                }

                var closeReason = await RunConnection(connection, target).ConfigureAwait(false);
                if (closeReason.ForbidsRetry() || _shutdown.IsCancellationRequested)
                {
                    return;
                }

                if (!target.IsConfigured && ++failures > retries)
                {
                    return; // a learned route to a server that went away: connect_retries, then let it go
                }

                // After a drop: a random 0-100 ms, plus a second for explicit routes, as nats-server.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100)) + ReconnectDelay, _shutdown).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                if (target.PinnedAccount is null)
                {
                    _pooledDialers[target.Url.ToString()]--;
                }
                else
                {
                    _pinnedDialers.Remove(PinnedKey(target));
                }
            }
        }
    }

    private async Task<(ModularConnection? Connection, bool OnlySelf)> TryDialAsync(Uri url)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        timeout.CancelAfter(DialTimeout);
        try
        {
            var addresses = IPAddress.TryParse(url.Host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(url.Host, timeout.Token).ConfigureAwait(false);
            if (addresses.Length > 0 && addresses.All(address => IsSelf(address, url.Port)))
            {
                return (null, true);
            }

            foreach (var address in addresses)
            {
                if (IsSelf(address, url.Port))
                {
                    continue;
                }

                try
                {
                    return (await _transport.ConnectAsync(new IPEndPoint(address, url.Port), timeout.Token).ConfigureAwait(false), false);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or IOException)
                {
                }
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
        }

        return (null, false);
    }

    /// <summary>Our own route listener: a configured route that points back at us is skipped.</summary>
    private bool IsSelf(IPAddress address, int port)
    {
        var own = _ownEndPoint();
        if (own is null || own.Port != port)
        {
            return false;
        }

        return own.Address.Equals(address) || (own.Address.Equals(IPAddress.Any) && IPAddress.IsLoopback(address));
    }

    public static string Redacted(Uri url) => string.IsNullOrEmpty(url.UserInfo) ? url.ToString() : url.ToString().Replace(url.UserInfo + "@", "***@", StringComparison.Ordinal);
}
