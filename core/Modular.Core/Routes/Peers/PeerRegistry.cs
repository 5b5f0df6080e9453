using Modular.Abstractions.Discovery;
using Modular.Core.Accounts;
using Modular.Core.Routes.Pinning;

namespace Modular.Core.Routes.Peers;

/// <summary>
/// Which connection holds which place (pool slot, pinned account, single route) of which peer, and
/// the connections not placed yet. The rules are <see cref="RoutePlacement"/>'s; this class applies
/// them under its lock (<see cref="Gate"/>, see LOCKS.md), which other cluster components take to
/// read <see cref="Peers"/> consistently.
/// </summary>
public sealed class PeerRegistry
{
    private readonly Dictionary<string, RemotePeer> _peers = new(StringComparer.Ordinal);
    private readonly List<RouteConnection> _routes = new();

    // Connected but not registered yet (the timer still watches them).
    private readonly List<RouteConnection> _connecting = new();

    // Peers that one of our configured routes reached. A connection they dialed to us counts as
    // solicited and configured too (nats-server's upgrade): in a mesh where everyone lists everyone,
    // /routez shows did_solicit and is_configured on every route whichever side's dial won.
    private readonly HashSet<string> _configuredPeers = new(StringComparer.Ordinal);

    private readonly string _ourId;
    private readonly AccountRouting _routing;
    private readonly AccountRegistry _accounts;
    private readonly IPeerClientUrls _clientUrls;
    private readonly bool _noAdvertise;

    public PeerRegistry(string ourId, AccountRouting routing, AccountRegistry accounts, IPeerClientUrls clientUrls, bool noAdvertise)
    {
        _ourId = ourId;
        _routing = routing;
        _accounts = accounts;
        _clientUrls = clientUrls;
        _noAdvertise = noAdvertise;
    }

    /// <summary>The registry lock: hold it to read <see cref="Peers"/> or a peer's state.</summary>
    public object Gate { get; } = new();

    /// <summary>Peers with at least one registered connection; under <see cref="Gate"/>.</summary>
    internal IReadOnlyDictionary<string, RemotePeer> Peers => _peers;

    public IReadOnlyList<RouteConnection> GetRoutes()
    {
        lock (Gate)
        {
            return _routes.ToArray();
        }
    }

    /// <summary>Registered and not yet registered connections: what the timer and a shutdown look after.</summary>
    public RouteConnection[] GetAllConnections()
    {
        lock (Gate)
        {
            return _connecting.Count == 0 ? _routes.ToArray() : [.. _routes, .. _connecting];
        }
    }

    public int RouteCount
    {
        get
        {
            lock (Gate)
            {
                return _routes.Count;
            }
        }
    }

    public int RemoteCount
    {
        get
        {
            lock (Gate)
            {
                return _peers.Count;
            }
        }
    }

    public string[] PeerIds
    {
        get
        {
            lock (Gate)
            {
                return _peers.Keys.ToArray();
            }
        }
    }

    public bool IsKnown(string serverId)
    {
        lock (Gate)
        {
            return _peers.ContainsKey(serverId);
        }
    }

    /// <summary>True when a configured route of ours reaches this server.</summary>
    public bool IsConfiguredPeer(string? serverId)
    {
        lock (Gate)
        {
            return serverId is not null && _configuredPeers.Contains(serverId);
        }
    }

    public void AddConnecting(RouteConnection route)
    {
        lock (Gate)
        {
            _connecting.Add(route);
        }
    }

    public void RemoveConnecting(RouteConnection route)
    {
        lock (Gate)
        {
            _connecting.Remove(route);
        }
    }

    /// <summary>
    /// Places a connection whose peer INFO just arrived. On success: the peer, whether it is new
    /// (its first connection), and whether our clients' connect_urls changed.
    /// </summary>
    internal (RegistrationOutcome Outcome, RemotePeer Peer, bool IsNewPeer, bool ClientUrlsChanged) TryRegister(RouteConnection route, RouteInfo info)
    {
        RemotePeer peer;
        bool isNewPeer;
        var clientUrlsChanged = false;
        lock (Gate)
        {
            if (route.IsConfigured)
            {
                _configuredPeers.Add(info.ServerId);
            }

            isNewPeer = !_peers.TryGetValue(info.ServerId, out peer!);
            peer ??= new RemotePeer(info.ServerId);
            var pinnedName = route.DidSolicit ? route.DialTarget!.PinnedAccount : info.RouteAccount;
            var decision = RoutePlacement.Decide(RequestFor(route, info, peer, pinnedName));
            if (decision.Kind == PlacementKind.Refused)
            {
                return (decision.Refusal, peer, false, false);
            }

            Apply(decision, route, peer, pinnedName);
            peer.Name = info.ServerName;
            if (isNewPeer)
            {
                peer.Info = info;
                peer.Origin = !route.DidSolicit ? PeerOrigin.Accepted : route.IsConfigured ? PeerOrigin.Configured : PeerOrigin.Learned;
                peer.DialedOnGossipMode = route.DialTarget?.GossipMode ?? GossipMode.Default;
                peer.GossipUrl = GossipUrlOf(route, info);
                clientUrlsChanged = AdvertiseClientUrlsLocked(peer, info);
            }

            _peers[info.ServerId] = peer;
            _connecting.Remove(route);
            _routes.Add(route);
        }

        return (RegistrationOutcome.Registered, peer, isNewPeer, clientUrlsChanged);
    }

    private PlacementRequest RequestFor(RouteConnection route, RouteInfo info, RemotePeer peer, string? pinnedName)
    {
        var slots = new PlacedRoute?[peer.Slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = PlacedOf(peer.Slots[i]);
        }

        return new PlacementRequest
        {
            OurId = _ourId,
            PeerId = info.ServerId,
            DidSolicit = route.DidSolicit,
            PinnedAccount = pinnedName,
            LocalPoolSize = _routing.LocalPoolSize,
            PeerPoolSize = info.RoutePoolSize,
            PeerPoolIndex = info.RoutePoolIndex,
            AccountPinnable = pinnedName is not null && (_routing.IsPinned(pinnedName) || peer.PinRequested.Contains(pinnedName)),
            ExistingPinned = pinnedName is not null ? PlacedOf(peer.Pinned.GetValueOrDefault(pinnedName)) : null,
            EffectivePoolSize = peer.EffectivePoolSize,
            Slots = slots,
            Single = PlacedOf(peer.Single),
        };
    }

    private static PlacedRoute? PlacedOf(RouteConnection? route) => route is null ? null : new PlacedRoute(route.DidSolicit, route.IsClosing);

    /// <summary>Puts the connection where the rules said; the one it replaces is closed as a duplicate.</summary>
    private void Apply(PlacementDecision decision, RouteConnection route, RemotePeer peer, string? pinnedName)
    {
        RouteConnection? replaced;
        switch (decision.Kind)
        {
            case PlacementKind.Pinned:
                peer.Pinned[pinnedName!] = route;
                route.AssignSlot(0, noPool: false, _accounts.GetOrAdd(pinnedName!));
                break;
            case PlacementKind.PoolSlot:
                peer.NoPool = false;
                peer.EffectivePoolSize = decision.EffectivePoolSize;
                if (peer.Slots.Length < decision.EffectivePoolSize)
                {
                    var slots = peer.Slots;
                    Array.Resize(ref slots, decision.EffectivePoolSize);
                    peer.Slots = slots;
                }

                replaced = decision.ReplacesExisting ? peer.Slots[decision.Index] : null;
                replaced?.BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
                peer.Slots[decision.Index] = route;
                route.AssignSlot(decision.Index, noPool: false, pinnedAccount: null);
                break;
            default:
                replaced = decision.ReplacesExisting ? peer.Single : null;
                replaced?.BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
                peer.NoPool = true;
                peer.Single = route;
                route.AssignSlot(0, noPool: true, pinnedAccount: null);
                break;
        }
    }

    /// <summary>Where others can dial the peer: its advertised URL, or its address and route port.</summary>
    private static Uri? GossipUrlOf(RouteConnection route, RouteInfo info)
    {
        if (!string.IsNullOrEmpty(info.Ip) && Uri.TryCreate(info.Ip, UriKind.Absolute, out var advertised))
        {
            return advertised;
        }

        var address = route.RemoteEndPoint?.Address;
        return address is null || info.Port <= 0 ? null : new Uri($"nats-route://{address}:{info.Port}/");
    }

    /// <summary>
    /// Takes a closed route out of the registry. Says whether that changed our clients' connect URLs
    /// (its peer is gone), and the account that goes back to the pool when it was a pinned route a
    /// peer asked for by reload.
    /// </summary>
    public (bool UrlsChanged, string? BackToPool) Remove(RouteConnection route)
    {
        string? backToPool = null;
        lock (Gate)
        {
            _connecting.Remove(route);
            if (!_routes.Remove(route) || route.RemoteId is null || !_peers.TryGetValue(route.RemoteId, out var peer))
            {
                return (false, null);
            }

            if (route.PinnedAccount is { } requested && !_routing.IsPinned(requested.Name) && peer.PinRequested.Remove(requested.Name))
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
            return (WithdrawClientUrlsLocked(peer), backToPool);
        }
    }

    /// <summary>A peer entered lame duck mode: its client URLs leave our connect_urls now. True when they changed.</summary>
    public bool WithdrawClientUrls(string serverId)
    {
        lock (Gate)
        {
            return _peers.TryGetValue(serverId, out var peer) && WithdrawClientUrlsLocked(peer);
        }
    }

    /// <summary>A new peer's client URLs join our clients' connect_urls, unless cluster no_advertise or the peer is already in lame duck mode.</summary>
    private bool AdvertiseClientUrlsLocked(RemotePeer peer, RouteInfo info)
    {
        if (_noAdvertise || info.LameDuckMode || info.ConnectUrls is not { Count: > 0 } urls)
        {
            return false;
        }

        peer.ClientUrls = urls.ToArray();
        return _clientUrls.AddPeerUrls(peer.ClientUrls);
    }

    private bool WithdrawClientUrlsLocked(RemotePeer peer)
    {
        var urls = peer.ClientUrls;
        if (urls.Count == 0)
        {
            return false;
        }

        peer.ClientUrls = [];
        return _clientUrls.RemovePeerUrls(urls);
    }

    /// <summary>The connection that carries an account to one peer, or null when it is not up yet. Under <see cref="Gate"/>.</summary>
    internal RouteConnection? ConnectionFor(RemotePeer peer, Account account)
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

        if ((_routing.IsPinned(account.Name) && !peer.CannotPin.Contains(account.Name)) || peer.PinRequested.Contains(account.Name))
        {
            return null; // waits for its pinned route
        }

        var index = _routing.PoolIndexFor(account.NameBytes);
        return index < peer.Slots.Length ? peer.Slots[index] : null;
    }

    /// <summary>True when this connection is the one that carries the account's interest from us to its peer.</summary>
    public bool Carries(RouteConnection route, Account account)
    {
        lock (Gate)
        {
            return route.RemoteId is { } id && _peers.TryGetValue(id, out var peer) && ReferenceEquals(ConnectionFor(peer, account), route);
        }
    }

    /// <summary>The connection that carries the account to one peer; null when that peer is not connected.</summary>
    public RouteConnection? CarrierTo(string serverId, Account account)
    {
        lock (Gate)
        {
            return _peers.TryGetValue(serverId, out var peer) ? ConnectionFor(peer, account) : null;
        }
    }

    /// <summary>Fills <paramref name="routes"/> with the connections that carry the account, one per peer.</summary>
    public void CollectCarriers(Account account, List<RouteConnection> routes)
    {
        lock (Gate)
        {
            foreach (var peer in _peers.Values)
            {
                if (ConnectionFor(peer, account) is { } route)
                {
                    routes.Add(route);
                }
            }
        }
    }

    /// <summary>The routes that match <paramref name="predicate"/>, registered or not.</summary>
    public List<RouteConnection> Where(Func<RouteConnection, bool> predicate)
    {
        lock (Gate)
        {
            return _routes.Concat(_connecting).Where(predicate).ToList();
        }
    }
}
