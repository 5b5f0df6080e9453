using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Pooling;
using Modular.Core.Accounts;
using Modular.Core.Routes.Dialing;
using Modular.Core.Routes.Interest;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Routes.Pinning;

/// <summary>
/// Moves accounts to and from dedicated routes (protocol.md §3.7): the route_acc_add_reqid
/// exchange when a reload pins an account, a peer's own such request, a peer that refuses an
/// account, and the pinned routes that are missing after a while.
/// </summary>
public sealed class PinningCoordinator
{
    /// <summary>How long a reload waits for peers to confirm that an account moves to a dedicated route, as nats-server.</summary>
    private static readonly TimeSpan PinConfirmationTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly AccountRouting _routing;
    private readonly PeerRegistry _registry;
    private readonly AccountRegistry _accounts;
    private readonly RouteDialer _dialer;
    private readonly InterestPropagator _interest;
    private readonly ILogger _logger;
    private readonly ConcurrentBag<Task> _background;
    private readonly CancellationToken _shutdown;

    // The request id of the pinning in progress and its confirmations (route_acc_add_reqid).
    private string? _pinRequestId;
    private SemaphoreSlim? _pinConfirmations;

    public PinningCoordinator(
        AccountRouting routing,
        PeerRegistry registry,
        AccountRegistry accounts,
        RouteDialer dialer,
        InterestPropagator interest,
        ILogger logger,
        ConcurrentBag<Task> background,
        CancellationToken shutdown)
    {
        _routing = routing;
        _registry = registry;
        _accounts = accounts;
        _dialer = dialer;
        _interest = interest;
        _logger = logger;
        _background = background;
        _shutdown = shutdown;
        foreach (var account in routing.PinnedAccounts)
        {
            accounts.GetOrAdd(account);
        }
    }

    /// <summary>
    /// Takes a reloaded pooling policy. Pinned accounts added are moved to dedicated routes as
    /// nats-server does: the pooled interest is dropped on both sides (an INFO with
    /// route_acc_add_reqid tells each peer), then, after the peers confirmed or 2 s passed, the
    /// pinned routes are dialed. Pinned accounts removed lose their routes (not redialed) and their
    /// interest goes out on the pooled routes again.
    /// </summary>
    public async Task<(IReadOnlyList<string> Pinned, IReadOnlyList<string> Unpinned)> ReloadAsync(IRoutePoolingPolicy next)
    {
        var before = _routing.PinnedAccounts;
        var after = _routing.PinnedSetFor(next);
        var added = after.Except(before).Order(StringComparer.Ordinal).ToList();
        var removed = before.Except(after).Order(StringComparer.Ordinal).ToList();
        var previous = _routing.ReplacePolicy(next);
        foreach (var account in added)
        {
            _accounts.GetOrAdd(account);
        }

        if (added.Count > 0)
        {
            await PinAccountsAsync(added, after, previous).ConfigureAwait(false);
        }
        else
        {
            _routing.SetPinned(after);
        }

        if (removed.Count > 0)
        {
            UnpinAccounts(removed);
        }

        return (added, removed);
    }

    private async Task PinAccountsAsync(List<string> accounts, HashSet<string> pinned, IRoutePoolingPolicy previous)
    {
        var requestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(11));
        var confirmations = new SemaphoreSlim(0);
        var sent = 0;
        lock (_lock)
        {
            _pinRequestId = requestId;
            _pinConfirmations = confirmations;
        }

        lock (_registry.Gate)
        {
            foreach (var name in accounts)
            {
                var account = _accounts.GetOrAdd(name);
                var request = new RouteInfo
                {
                    RoutePoolSize = _routing.LocalPoolSize,
                    RouteAccount = name,
                    RouteAccountAddRequestId = requestId,
                }.ToLine();
                foreach (var peer in _registry.Peers.Values.Where(p => !p.NoPool))
                {
                    // Pinned here now for every peer: a peer's earlier request for it is covered.
                    peer.PinRequested.Remove(name);

                    // The peer sent the account's interest on its own index for it; ours carries the request.
                    var theirs = NatsPoolIndex.Of(account.NameBytes, peer.Info?.RoutePoolSize ?? _routing.LocalPoolSize);
                    if (theirs < peer.Slots.Length)
                    {
                        peer.Slots[theirs]?.RemoveRemoteSubscriptions(account);
                    }

                    var ours = previous.PoolIndexFor(account.NameBytes, _routing.LocalPoolSize);
                    if (ours < peer.Slots.Length && peer.Slots[ours] is { } route)
                    {
                        route.SendRaw(request);
                        sent++;
                    }
                }
            }

            // From here the accounts wait for their dedicated routes: nothing of theirs goes on the pool.
            _routing.SetPinned(pinned);
        }

        for (var i = 0; i < sent; i++)
        {
            if (!await confirmations.WaitAsync(PinConfirmationTimeout, _shutdown).ConfigureAwait(false))
            {
                _logger.LogWarning("Timed out waiting for confirmation from all routes regarding per-account routes changes");
                break;
            }
        }

        lock (_lock)
        {
            _pinRequestId = null;
            _pinConfirmations = null;
        }

        foreach (var name in accounts)
        {
            foreach (var target in DialTargetsFor(name))
            {
                _dialer.Dial(target);
            }
        }

        _logger.LogInformation("Accounts {accounts} moved to dedicated routes ({confirmations} peer confirmation(s) requested)", string.Join(", ", accounts), sent);
    }

    /// <summary>Where to dial a pinned route to each known peer that has none.</summary>
    private List<RouteDialTarget> DialTargetsFor(string account)
    {
        lock (_registry.Gate)
        {
            return _registry.Peers.Values
                .Where(p => !p.NoPool && !p.Pinned.ContainsKey(account))
                .Select(p => TargetFor(p, account))
                .OfType<RouteDialTarget>()
                .ToList();
        }
    }

    /// <summary>The URL of a pooled route we dialed to the peer, else its gossip URL, for the account's pinned route. Under the registry lock.</summary>
    private static RouteDialTarget? TargetFor(RemotePeer peer, string account)
    {
        var dialed = peer.All.Select(r => r.DialTarget).FirstOrDefault(t => t is not null && t.PinnedAccount is null);
        return dialed is not null ? dialed with { PinnedAccount = account }
            : peer.GossipUrl is { } url ? new RouteDialTarget(url, IsConfigured: false, PinnedAccount: account)
            : null;
    }

    private void UnpinAccounts(List<string> accounts)
    {
        var closing = new List<RouteConnection>();
        lock (_registry.Gate)
        {
            foreach (var peer in _registry.Peers.Values)
            {
                foreach (var name in accounts)
                {
                    // A peer's earlier request to pin it is void too: both sides go back to the pool.
                    peer.PinRequested.Remove(name);
                    if (peer.Pinned.Remove(name, out var route))
                    {
                        closing.Add(route);
                    }
                }
            }
        }

        foreach (var route in closing)
        {
            route.BeginClose(RouteCloseReason.RouteRemoved, flushFirst: true);
        }

        foreach (var name in accounts)
        {
            _interest.Resend(_accounts.GetOrAdd(name));
        }

        _logger.LogInformation("Accounts {accounts} no longer have dedicated routes; their interest went out on the pooled routes", string.Join(", ", accounts));
    }

    /// <summary>
    /// A peer moves an account to a dedicated route by config reload (INFO with route_account and
    /// route_acc_add_reqid): its interest leaves the pooled route it came on, the account waits for
    /// (and accepts) a pinned route from that peer, and the peer gets the INFO back without the
    /// account as its confirmation.
    /// </summary>
    public void OnPinRequested(RouteConnection via, RouteInfo request)
    {
        var name = request.RouteAccount!;
        var account = _accounts.GetOrAdd(name);
        lock (_registry.Gate)
        {
            if (via.RemoteId is { } remoteId && _registry.Peers.TryGetValue(remoteId, out var peer) && !peer.NoPool)
            {
                peer.CannotPin.Remove(name);
                if (!_routing.IsPinned(name))
                {
                    peer.PinRequested.Add(name);
                }

                var theirs = NatsPoolIndex.Of(account.NameBytes, request.RoutePoolSize);
                if (theirs < peer.Slots.Length)
                {
                    peer.Slots[theirs]?.RemoveRemoteSubscriptions(account);
                }
            }
        }

        _logger.LogInformation("rid:{rid} - peer {remote} moves account {account} to a dedicated route", via.Id, via.RemoteName, name);
        request.RouteAccount = null;
        via.SendRaw(request.ToLine());
        if (via.RemoteId is { } peerId)
        {
            ScheduleMissingPinDial(peerId, name);
        }
    }

    /// <summary>A peer confirmed the pinning request we sent (the INFO came back without route_account).</summary>
    public void OnPinConfirmed(string requestId)
    {
        lock (_lock)
        {
            if (requestId == _pinRequestId)
            {
                _pinConfirmations?.Release();
            }
        }
    }

    /// <summary>A peer answered our pinned route for an account with "No route for account": use its pooled route for it.</summary>
    public void OnPinRefused(string remoteId, string account)
    {
        RouteConnection? route;
        lock (_registry.Gate)
        {
            if (!_registry.Peers.TryGetValue(remoteId, out var peer) || !peer.CannotPin.Add(account))
            {
                return;
            }

            route = _registry.ConnectionFor(peer, _accounts.GetOrAdd(account));
        }

        _logger.LogWarning("Peer {remote} does not pin account {account}; its traffic uses the pooled route", remoteId, account);
        if (route is not null)
        {
            _interest.SendDump(route);
        }
    }

    /// <summary>A new pooling peer: its pinned routes are dialed later if nobody dialed them meanwhile.</summary>
    public void OnNewPeer(RemotePeer peer)
    {
        foreach (var account in _routing.PinnedAccounts)
        {
            ScheduleMissingPinDial(peer.ServerId, account);
        }
    }

    /// <summary>After a pooled route we dialed registered: dial the pinned accounts over the same URL.</summary>
    public void DialPinnedAlongside(RouteDialTarget pooled)
    {
        foreach (var account in _routing.PinnedAccounts)
        {
            _dialer.Dial(pooled with { PinnedAccount = account });
        }
    }

    private void ScheduleMissingPinDial(string peerId, string account) => _background.Add(Task.Run(() => DialMissingPinAsync(peerId, account)));

    /// <summary>
    /// Dials a pinned route to a peer that should have one but has none after a while. The side that
    /// dialed the pool dials the pinned routes too; when all our dials lost to the peer's as
    /// duplicates, or the peer pinned by reload and nats-server only dials over its configured
    /// routes, nobody would. Late (after the peer's 2 s wait, and a margin), so the two sides do not
    /// dial at once and refuse each other's route as a duplicate. A peer that refuses the account
    /// ("No route for account") then gets it on the pooled route.
    /// </summary>
    private async Task DialMissingPinAsync(string peerId, string account)
    {
        try
        {
            await Task.Delay(PinConfirmationTimeout + TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)), _shutdown).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        RouteDialTarget? target = null;
        lock (_registry.Gate)
        {
            if (_registry.Peers.TryGetValue(peerId, out var peer) && !peer.NoPool && !peer.Pinned.ContainsKey(account) && !peer.CannotPin.Contains(account)
                && (peer.PinRequested.Contains(account) || _routing.IsPinned(account)))
            {
                target = TargetFor(peer, account);
            }
        }

        if (target is not null)
        {
            _logger.LogInformation("No route for account {account} with peer {remote} yet: dialing it", account, peerId);
            _dialer.Dial(target);
        }
    }
}
