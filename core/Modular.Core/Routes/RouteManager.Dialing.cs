using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;

namespace Modular.Core.Routes;

// Accepting routes, and dialing them: explicit routes are redialed for ever, implicit ones within
// connect_retries; extra pool slots and pinned accounts get dialers of their own once a peer is known.
public sealed partial class RouteManager
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ConnectDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxConnectDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    // Routes that are connected but not registered yet (the timer still watches them).
    private readonly List<RouteConnection> _connecting = new();

    // How many dialers run per URL (pooled slots) and which (URL, account) pairs have a pinned dialer.
    private readonly Dictionary<string, int> _pooledDialers = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _pinnedDialers = new(StringComparer.OrdinalIgnoreCase);

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
                if (await WrapAsync(connection, ConnectionRole.Accepted).ConfigureAwait(false))
                {
                    await RunRouteAsync(NewRoute(connection, didSolicit: false, dialTarget: null)).ConfigureAwait(false);
                }
            });
        }
    }

    private RouteConnection NewRoute(ModularConnection connection, bool didSolicit, RouteDialTarget? dialTarget)
    {
        var id = (ulong)Interlocked.Increment(ref _nextRouteId);
        var route = new RouteConnection(this, connection, id, didSolicit, dialTarget, _logger);
        lock (_lock)
        {
            _connecting.Add(route);
        }

        return route;
    }

    private async Task RunRouteAsync(RouteConnection route)
    {
        await route.RunAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _connecting.Remove(route);
        }
    }

    /// <summary>Starts a dialer that keeps one logical connection to the target up.</summary>
    private void StartSolicitor(RouteDialTarget target)
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

    /// <summary>Applies the route transport wrapper (TLS) before the first protocol byte; false closes the connection.</summary>
    private async Task<bool> WrapAsync(ModularConnection connection, ConnectionRole role)
    {
        if (Server.Seams.RouteConnectionWrapper is not { } wrapper)
        {
            return true;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await wrapper.WrapAsync(connection, ConnectionKind.Route, role, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            _logger.LogError("Route transport handshake error with {remote}: {error}", connection.RemoteEndPoint, e.Message);
            await connection.DisposeAsync().ConfigureAwait(false);
            return false;
        }
    }

    private static string PinnedKey(RouteDialTarget target) => target.Url + "|" + target.PinnedAccount;

    private async Task SolicitLoopAsync(RouteDialTarget target)
    {
        var failures = 0;
        var connectedBefore = false;
        var retries = target.IsConfigured ? int.MaxValue : Options.ConnectRetries;
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

                    await Task.Delay(delay, _shutdown.Token).ConfigureAwait(false);
                    if (Options.ConnectBackoff)
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
                if (!await WrapAsync(connection, ConnectionRole.Dialed).ConfigureAwait(false))
                {
                    await Task.Delay(ConnectDelay, _shutdown.Token).ConfigureAwait(false);
                    continue;
                }

                var route = NewRoute(connection, didSolicit: true, dialTarget: target);
                await RunRouteAsync(route).ConfigureAwait(false);
                if (route.CloseReason.ForbidsRetry() || _shutdown.IsCancellationRequested)
                {
                    return;
                }

                if (!target.IsConfigured && ++failures > retries)
                {
                    return; // a learned route to a server that went away: connect_retries, then let it go
                }

                // After a drop: a random 0-100 ms, plus a second for explicit routes, as nats-server.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100)) + ReconnectDelay, _shutdown.Token).ConfigureAwait(false);
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
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
                    return (await Server.Transport.ConnectAsync(new IPEndPoint(address, url.Port), timeout.Token).ConfigureAwait(false), false);
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
        var own = EndPoint;
        if (own is null || own.Port != port)
        {
            return false;
        }

        return own.Address.Equals(address) || (own.Address.Equals(IPAddress.Any) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// After a dialed pooled connection registers: dial the next slot while the pool has room,
    /// and the pinned accounts once the peer is known to pool.
    /// </summary>
    private void OnSolicitedRegistered(RouteConnection route, RemotePeer peer)
    {
        var target = route.DialTarget!;
        if (route.NoPool || route.PinnedAccount is not null)
        {
            return;
        }

        int dialers;
        lock (_lock)
        {
            dialers = _pooledDialers.GetValueOrDefault(target.Url.ToString());
        }

        if (dialers < peer.EffectivePoolSize)
        {
            StartSolicitor(target with { PinnedAccount = null });
        }

        foreach (var account in _pinnedAccounts)
        {
            StartSolicitor(target with { PinnedAccount = account });
        }
    }

    private static string Redacted(Uri url) => string.IsNullOrEmpty(url.UserInfo) ? url.ToString() : url.ToString().Replace(url.UserInfo + "@", "***@", StringComparison.Ordinal);
}
