using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Pooling;
using Modular.Core.Accounts;

namespace Modular.Core.Routes;

// Config reload of the cluster (protocol.md §3.6, §3.7): routes added to or removed from the
// configuration, the pooling policy (pinned accounts added or removed) and route authentication.
public sealed partial class RouteManager
{
    /// <summary>How long a reload waits for peers to confirm that an account moves to a dedicated route, as nats-server.</summary>
    private static readonly TimeSpan PinConfirmationTimeout = TimeSpan.FromSeconds(2);

    // Configured route URLs a reload removed: their dialers stop at the next attempt.
    private readonly HashSet<string> _removedRoutes = new(StringComparer.OrdinalIgnoreCase);

    // The URLs dialed as explicit routes (the discovery's initial routes plus reload changes).
    private volatile Uri[] _explicitRoutes = [];

    // The request id of the pinning in progress and its confirmations (route_acc_add_reqid).
    private string? _pinRequestId;
    private SemaphoreSlim? _pinConfirmations;

    /// <summary>
    /// Applies a reloaded <c>routes</c> list: new URLs are dialed as explicit routes; for removed
    /// ones the dialers stop and the routes we dialed to them close and are not redialed (a route
    /// the peer dialed to us stays, as nats-server). Returns what was added and removed.
    /// </summary>
    public (IReadOnlyList<Uri> Added, IReadOnlyList<Uri> Removed) ReloadRoutes(IReadOnlyList<Uri> routes)
    {
        var current = Options.Routes;
        var added = routes.Where(url => !current.Any(c => SameRoute(c, url))).ToList();
        var removed = current.Where(url => !routes.Any(n => SameRoute(n, url))).ToList();
        List<RouteConnection> closing;
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
            Options.Routes = routes.ToList();
            closing = _routes.Concat(_connecting)
                .Where(route => route.DialTarget is { IsConfigured: true } target && removed.Any(r => SameRoute(r, target.Url)))
                .ToList();
        }

        foreach (var route in closing)
        {
            route.BeginClose(RouteCloseReason.RouteRemoved, flushFirst: true);
        }

        foreach (var url in added)
        {
            StartSolicitor(new RouteDialTarget(url, IsConfigured: true, PinnedAccount: null));
        }

        return (added, removed);
    }

    /// <summary>
    /// Replaces the route policies after a reload. Pinned accounts added are moved to dedicated
    /// routes as nats-server does: the pooled interest is dropped on both sides (an INFO with
    /// route_acc_add_reqid tells each peer), then, after the peers confirmed or 2 s passed, the
    /// pinned routes are dialed. Pinned accounts removed lose their routes (not redialed) and their
    /// interest goes out on the pooled routes again.
    /// </summary>
    public async Task<(IReadOnlyList<string> Pinned, IReadOnlyList<string> Unpinned)> ReloadPoliciesAsync(
        IRoutePoolingPolicy? pooling,
        IRouteCredentialsProvider? credentials,
        IAuthenticator? authenticator)
    {
        Credentials = credentials ?? UrlRouteCredentials.Instance;
        Authenticator = authenticator ?? OpenRouteAuthenticator.Instance;
        var next = pooling ?? FnvPoolingPolicy.Instance;
        var before = _pinnedAccounts;
        var after = PinnedSetFor(next);
        var added = after.Except(before).Order(StringComparer.Ordinal).ToList();
        var removed = before.Except(after).Order(StringComparer.Ordinal).ToList();
        var previous = Pooling;
        Pooling = next;
        foreach (var account in added)
        {
            Server.Accounts.GetOrAdd(account);
        }

        if (added.Count > 0)
        {
            await PinAccountsAsync(added, after, previous).ConfigureAwait(false);
        }
        else
        {
            _pinnedAccounts = after;
        }

        if (removed.Count > 0)
        {
            UnpinAccounts(removed);
        }

        return (added, removed);
    }

    private async Task PinAccountsAsync(List<string> accounts, HashSet<string> pinned, IRoutePoolingPolicy previous)
    {
        var requestId = NewRequestId();
        var confirmations = new SemaphoreSlim(0);
        var sent = 0;
        lock (_lock)
        {
            _pinRequestId = requestId;
            _pinConfirmations = confirmations;
            foreach (var name in accounts)
            {
                var account = Server.Accounts.GetOrAdd(name);
                var request = new RouteInfo
                {
                    RoutePoolSize = LocalPoolSize,
                    RouteAccount = name,
                    RouteAccountAddRequestId = requestId,
                }.ToLine();
                foreach (var peer in _peers.Values.Where(p => !p.NoPool))
                {
                    // Pinned here now for every peer: a peer's earlier request for it is covered.
                    peer.PinRequested.Remove(name);

                    // The peer sent the account's interest on its own index for it; ours carries the request.
                    var theirs = NatsPoolIndex.Of(account.NameBytes, peer.Info?.RoutePoolSize ?? LocalPoolSize);
                    if (theirs < peer.Slots.Length)
                    {
                        peer.Slots[theirs]?.RemoveRemoteSubscriptions(account);
                    }

                    var ours = previous.PoolIndexFor(account.NameBytes, LocalPoolSize);
                    if (ours < peer.Slots.Length && peer.Slots[ours] is { } route)
                    {
                        route.SendRaw(request);
                        sent++;
                    }
                }
            }

            // From here the accounts wait for their dedicated routes: nothing of theirs goes on the pool.
            _pinnedAccounts = pinned;
        }

        for (var i = 0; i < sent; i++)
        {
            if (!await confirmations.WaitAsync(PinConfirmationTimeout, _shutdown.Token).ConfigureAwait(false))
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
            foreach (var target in PinnedDialTargets(name))
            {
                StartSolicitor(target);
            }
        }

        _logger.LogInformation("Accounts {accounts} moved to dedicated routes ({confirmations} peer confirmation(s) requested)", string.Join(", ", accounts), sent);
    }

    /// <summary>Where to dial a pinned route to each known peer that has none.</summary>
    private List<RouteDialTarget> PinnedDialTargets(string account)
    {
        lock (_lock)
        {
            return _peers.Values
                .Where(p => !p.NoPool && !p.Pinned.ContainsKey(account))
                .Select(p => PinnedTargetFor(p, account))
                .OfType<RouteDialTarget>()
                .ToList();
        }
    }

    /// <summary>The URL of a pooled route we dialed to the peer, else its gossip URL, for the account's pinned route. Under the lock.</summary>
    private static RouteDialTarget? PinnedTargetFor(RemotePeer peer, string account)
    {
        var dialed = peer.All.Select(r => r.DialTarget).FirstOrDefault(t => t is not null && t.PinnedAccount is null);
        return dialed is not null ? dialed with { PinnedAccount = account }
            : peer.GossipUrl is { } url ? new RouteDialTarget(url, IsConfigured: false, PinnedAccount: account)
            : null;
    }

    private void UnpinAccounts(List<string> accounts)
    {
        var closing = new List<RouteConnection>();
        lock (_lock)
        {
            foreach (var peer in _peers.Values)
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
            ResendInterest(Server.Accounts.GetOrAdd(name));
        }

        _logger.LogInformation("Accounts {accounts} no longer have dedicated routes; their interest went out on the pooled routes", string.Join(", ", accounts));
    }

    /// <summary>Sends an account's whole interest on every connection that now carries it.</summary>
    private void ResendInterest(Account account)
    {
        foreach (var route in RoutesCarrying(account))
        {
            SendInterestDump(route, account);
        }
    }

    /// <summary>
    /// A peer moves an account to a dedicated route by config reload (INFO with route_account and
    /// route_acc_add_reqid, protocol.md §3.7): its interest leaves the pooled route it came on, the
    /// account waits for (and accepts) a pinned route from that peer, and the peer gets the INFO back
    /// without the account as its confirmation.
    /// </summary>
    internal void OnPinRequested(RouteConnection via, RouteInfo request)
    {
        var name = request.RouteAccount!;
        var account = Server.Accounts.GetOrAdd(name);
        lock (_lock)
        {
            if (via.RemoteId is { } remoteId && _peers.TryGetValue(remoteId, out var peer) && !peer.NoPool)
            {
                peer.CannotPin.Remove(name);
                if (!IsPinned(name))
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
            _background.Add(Task.Run(() => DialMissingPinAsync(peerId, name)));
        }
    }

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
            await Task.Delay(PinConfirmationTimeout + TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)), _shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        RouteDialTarget? target = null;
        lock (_lock)
        {
            if (_peers.TryGetValue(peerId, out var peer) && !peer.NoPool && !peer.Pinned.ContainsKey(account) && !peer.CannotPin.Contains(account)
                && (peer.PinRequested.Contains(account) || IsPinned(account)))
            {
                target = PinnedTargetFor(peer, account);
            }
        }

        if (target is not null)
        {
            _logger.LogInformation("No route for account {account} with peer {remote} yet: dialing it", account, peerId);
            StartSolicitor(target);
        }
    }

    /// <summary>A peer confirmed the pinning request we sent (the INFO came back without route_account).</summary>
    internal void OnPinConfirmed(string requestId)
    {
        lock (_lock)
        {
            if (requestId == _pinRequestId)
            {
                _pinConfirmations?.Release();
            }
        }
    }

    private bool IsRemovedRoute(RouteDialTarget target)
    {
        lock (_lock)
        {
            return target.IsConfigured && _removedRoutes.Contains(target.Url.ToString());
        }
    }

    private static bool SameRoute(Uri a, Uri b) =>
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port && a.UserInfo == b.UserInfo;

    private static string NewRequestId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(11));
}
