using Microsoft.Extensions.Logging;
using Modular.Abstractions.Discovery;
using Modular.Core.Accounts;

namespace Modular.Core.Routes;

// The registry: which connection holds which slot of which peer, decided when the peer's INFO arrives.
public sealed partial class RouteManager
{
    /// <summary>Every registered route connection.</summary>
    public IReadOnlyList<RouteConnection> GetRoutes()
    {
        lock (_lock)
        {
            return _routes.ToArray();
        }
    }

    public int RouteCount
    {
        get
        {
            lock (_lock)
            {
                return _routes.Count;
            }
        }
    }

    /// <summary>Distinct remote servers with at least one registered connection.</summary>
    public int RemoteCount
    {
        get
        {
            lock (_lock)
            {
                return _peers.Count;
            }
        }
    }

    // Peers that one of our configured routes reached. A connection they dialed to us counts as
    // solicited and configured too (nats-server's upgrade): in a mesh where everyone lists everyone,
    // /routez shows did_solicit and is_configured on every route whichever side's dial won.
    private readonly HashSet<string> _configuredPeers = new(StringComparer.Ordinal);

    /// <summary>True when a configured route of ours reaches this server.</summary>
    public bool IsConfiguredPeer(string? serverId)
    {
        lock (_lock)
        {
            return serverId is not null && _configuredPeers.Contains(serverId);
        }
    }

    /// <summary>
    /// Places a connection whose peer INFO just arrived: a pinned-account route, a pool slot, or
    /// the one connection of a peer that does not pool. Duplicates are settled the same way on both
    /// sides: of two connections for one slot, the one dialed by the server with the smaller id stays.
    /// </summary>
    internal RegistrationOutcome TryRegister(RouteConnection route, RouteInfo info)
    {
        RemotePeer peer;
        bool isNewPeer;
        var clientUrlsChanged = false;
        lock (_lock)
        {
            if (route.IsConfigured)
            {
                _configuredPeers.Add(info.ServerId);
            }

            if (!_peers.TryGetValue(info.ServerId, out peer!))
            {
                peer = new RemotePeer(info.ServerId);
            }

            var outcome = Place(route, info, peer);
            if (outcome.Result != RegistrationResult.Registered)
            {
                return outcome;
            }

            peer.Name = info.ServerName;
            isNewPeer = !_peers.ContainsKey(info.ServerId);
            if (isNewPeer)
            {
                peer.Info = info;
                peer.Origin = !route.DidSolicit ? PeerOrigin.Accepted : route.IsConfigured ? PeerOrigin.Configured : PeerOrigin.Learned;
                peer.DialedOnGossipMode = route.DialTarget?.GossipMode ?? GossipMode.Default;
                peer.GossipUrl = GossipUrlOf(route, info);
                clientUrlsChanged = AdvertisePeerClientUrlsLocked(peer, info);
            }

            _peers[info.ServerId] = peer;
            _connecting.Remove(route);
            _routes.Add(route);
        }

        SendInterestDump(route);
        if (route.DidSolicit)
        {
            OnSolicitedRegistered(route, peer);
        }

        if (clientUrlsChanged)
        {
            Server.PublishClientUrls();
        }

        if (isNewPeer)
        {
            ForwardGossipAbout(peer);
            if (!route.NoPool)
            {
                foreach (var account in _pinnedAccounts)
                {
                    _background.Add(Task.Run(() => DialMissingPinAsync(peer.ServerId, account)));
                }
            }
        }

        return RegistrationOutcome.Registered;
    }

    private RegistrationOutcome Place(RouteConnection route, RouteInfo info, RemotePeer peer)
    {
        var pinnedName = route.DidSolicit ? route.DialTarget!.PinnedAccount : info.RouteAccount;
        var peerPools = info.RoutePoolSize > 0;
        if (pinnedName is not null)
        {
            if (!IsPooling)
            {
                return new(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
            }

            if (!peerPools)
            {
                return new(RegistrationResult.Error, RouteCloseReason.DuplicateRoute, $"Not possible to have a dedicated route for account \"{pinnedName}\" between those servers");
            }

            if (!IsPinned(pinnedName) && !peer.PinRequested.Contains(pinnedName))
            {
                return new(RegistrationResult.Error, RouteCloseReason.MissingAccount, $"No route for account \"{pinnedName}\"");
            }

            // As nats-server: the first route pinned to an account wins, a second one is closed and not redialed.
            if (peer.Pinned.TryGetValue(pinnedName, out var existing) && !existing.IsClosing)
            {
                return new(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
            }

            peer.Pinned[pinnedName] = route;
            route.AssignSlot(0, noPool: false, Server.Accounts.GetOrAdd(pinnedName));
            return RegistrationOutcome.Registered;
        }

        if (IsPooling && peerPools)
        {
            var effective = Math.Max(LocalPoolSize, info.RoutePoolSize);
            peer.NoPool = false;
            peer.EffectivePoolSize = Math.Max(peer.EffectivePoolSize, effective);
            if (peer.Slots.Length < peer.EffectivePoolSize)
            {
                var slots = peer.Slots;
                Array.Resize(ref slots, peer.EffectivePoolSize);
                peer.Slots = slots;
            }

            int index;
            if (route.DidSolicit)
            {
                index = Array.IndexOf(peer.Slots, null);
                if (index < 0)
                {
                    return new(RegistrationResult.Close, RouteCloseReason.RoutePoolFull);
                }
            }
            else
            {
                index = info.RoutePoolIndex;
                if (index < 0 || index >= peer.EffectivePoolSize)
                {
                    return new(RegistrationResult.Error, RouteCloseReason.ProtocolViolation, $"Invalid route pool index: {index} - pool size is {peer.EffectivePoolSize}");
                }

                var existing = peer.Slots[index];
                if (existing is not null)
                {
                    if (!Replaces(route, existing, info.ServerId))
                    {
                        return new(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
                    }

                    existing.BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
                }
            }

            peer.Slots[index] = route;
            route.AssignSlot(index, noPool: false, pinnedAccount: null);
            return RegistrationOutcome.Registered;
        }

        if (route.DidSolicit && route.DialTarget!.PinnedAccount is null && peer.PooledCount > 0)
        {
            return new(RegistrationResult.Close, RouteCloseReason.RoutePoolFull);
        }

        if (peer.Single is { } current)
        {
            if (!Replaces(route, current, info.ServerId))
            {
                return new(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
            }

            current.BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
        }

        peer.NoPool = true;
        peer.Single = route;
        route.AssignSlot(0, noPool: true, pinnedAccount: null);
        return RegistrationOutcome.Registered;
    }

    /// <summary>Both sides keep the connection dialed by the server with the smaller id.</summary>
    private bool Replaces(RouteConnection candidate, RouteConnection existing, string remoteId)
    {
        if (existing.IsClosing)
        {
            return true;
        }

        if (candidate.DidSolicit == existing.DidSolicit)
        {
            return false;
        }

        var winnerDialer = string.CompareOrdinal(Server.ServerId, remoteId) < 0 ? Server.ServerId : remoteId;
        var candidateDialer = candidate.DidSolicit ? Server.ServerId : remoteId;
        return candidateDialer == winnerDialer;
    }

    internal void OnRouteClosed(RouteConnection route)
    {
        var (urlsChanged, backToPool) = RemoveRoute(route);
        if (urlsChanged)
        {
            Server.PublishClientUrls();
        }

        if (backToPool is not null)
        {
            // A pinned route a peer asked for by reload closed: the account goes back to the pool with it.
            ResendInterest(Server.Accounts.GetOrAdd(backToPool));
        }
    }

    /// <summary>
    /// Takes a closed route out of the registry. Says whether that changed our clients' connect URLs
    /// (its peer is gone), and the account that goes back to the pool when it was a pinned route a
    /// peer asked for by reload.
    /// </summary>
    private (bool UrlsChanged, string? BackToPool) RemoveRoute(RouteConnection route)
    {
        string? backToPool = null;
        lock (_lock)
        {
            _connecting.Remove(route);
            if (!_routes.Remove(route) || route.RemoteId is null || !_peers.TryGetValue(route.RemoteId, out var peer))
            {
                return (false, null);
            }

            if (route.PinnedAccount is { } requested && !IsPinned(requested.Name) && peer.PinRequested.Remove(requested.Name))
            {
                backToPool = requested.Name;
            }

            if (ReferenceEquals(peer.Single, route))
            {
                peer.Single = null;
            }

            for (var i = 0; i < peer.Slots.Length; i++)
            {
                if (ReferenceEquals(peer.Slots[i], route))
                {
                    peer.Slots[i] = null;
                }
            }

            if (route.PinnedAccount is { } account && peer.Pinned.TryGetValue(account.Name, out var pinned) && ReferenceEquals(pinned, route))
            {
                peer.Pinned.Remove(account.Name);
            }

            if (!peer.IsEmpty)
            {
                return (false, backToPool);
            }

            _peers.Remove(peer.ServerId);
            return (WithdrawPeerClientUrlsLocked(peer), backToPool);
        }
    }

    /// <summary>
    /// A peer's route INFO said ldm: its clients are being sent away, so ours must not be sent
    /// there. Its URLs leave our connect_urls now, not when its routes close (protocol.md §9).
    /// </summary>
    internal void OnPeerLameDuck(RouteConnection route)
    {
        bool changed;
        lock (_lock)
        {
            if (route.RemoteId is not { } id || !_peers.TryGetValue(id, out var peer))
            {
                return;
            }

            changed = WithdrawPeerClientUrlsLocked(peer);
        }

        if (changed)
        {
            Server.PublishClientUrls();
        }
    }

    /// <summary>A new peer's client URLs join our clients' connect_urls, unless cluster no_advertise or the peer is already in lame duck mode.</summary>
    private bool AdvertisePeerClientUrlsLocked(RemotePeer peer, RouteInfo info)
    {
        if (Options.NoAdvertise || info.LameDuckMode || info.ConnectUrls is not { Count: > 0 } urls)
        {
            return false;
        }

        peer.ClientUrls = urls.ToArray();
        return Server.ClientUrls.AddPeerUrls(peer.ClientUrls);
    }

    private bool WithdrawPeerClientUrlsLocked(RemotePeer peer)
    {
        var urls = peer.ClientUrls;
        if (urls.Count == 0)
        {
            return false;
        }

        peer.ClientUrls = [];
        return Server.ClientUrls.RemovePeerUrls(urls);
    }

    /// <summary>The connection that carries an account to one peer, or null when it is not up yet.</summary>
    private RouteConnection? ConnectionFor(RemotePeer peer, Account account)
    {
        if (peer.NoPool)
        {
            return peer.Single;
        }

        // A peer that refused to pin the account gets it on the pool, even while a refused pinned
        // route is still closing (its interest would go nowhere).
        if (!peer.CannotPin.Contains(account.Name) && peer.Pinned.TryGetValue(account.Name, out var pinned))
        {
            return pinned;
        }

        if ((IsPinned(account.Name) && !peer.CannotPin.Contains(account.Name)) || peer.PinRequested.Contains(account.Name))
        {
            return null; // waits for its pinned route
        }

        var index = Pooling.PoolIndexFor(account.NameBytes, LocalPoolSize);
        return index < peer.Slots.Length ? peer.Slots[index] : null;
    }

    /// <summary>True when this connection is the one that carries the account's interest from us to its peer.</summary>
    private bool Carries(RouteConnection route, Account account)
    {
        lock (_lock)
        {
            return route.RemoteId is { } id && _peers.TryGetValue(id, out var peer) && ReferenceEquals(ConnectionFor(peer, account), route);
        }
    }

    /// <summary>A peer answered our pinned route for an account with "No route for account": use its pooled route for it.</summary>
    internal void OnPinRefused(string remoteId, string account)
    {
        RouteConnection? route;
        lock (_lock)
        {
            if (!_peers.TryGetValue(remoteId, out var peer) || !peer.CannotPin.Add(account))
            {
                return;
            }

            route = ConnectionFor(peer, Server.Accounts.GetOrAdd(account));
        }

        _logger.LogWarning("Peer {remote} does not pin account {account}; its traffic uses the pooled route", remoteId, account);
        if (route is not null)
        {
            SendInterestDump(route);
        }
    }
}
