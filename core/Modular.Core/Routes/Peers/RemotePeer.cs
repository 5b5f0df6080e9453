namespace Modular.Core.Routes.Peers;

/// <summary>
/// Everything connected to one remote server: its pooled slots, its pinned-account routes, or the
/// single connection of a peer that does not pool. Guarded by the route manager's lock.
/// </summary>
public sealed class RemotePeer
{
    public RemotePeer(string serverId)
    {
        ServerId = serverId;
    }

    public string ServerId { get; }

    public string? Name { get; set; }

    /// <summary>The INFO of the peer's first registered route, forwarded as gossip.</summary>
    public RouteInfo? Info { get; set; }

    public Abstractions.Discovery.PeerOrigin Origin { get; set; }

    public Abstractions.Discovery.GossipMode DialedOnGossipMode { get; set; }

    /// <summary>Where others can dial the peer: its advertised URL, or its address and route port.</summary>
    public Uri? GossipUrl { get; set; }

    /// <summary>
    /// The client URLs this peer added to our clients' connect_urls (from its first INFO); emptied
    /// when they are taken out again, on lame duck mode or when its last route closes, so they go once.
    /// </summary>
    public IReadOnlyList<string> ClientUrls { get; set; } = [];

    /// <summary>The peer does not pool: <see cref="Single"/> carries every account.</summary>
    public bool NoPool { get; set; }

    public RouteConnection? Single { get; set; }

    /// <summary>max(local, remote) pool size, as nats-server 2.11 settles it.</summary>
    public int EffectivePoolSize { get; set; }

    public RouteConnection?[] Slots { get; set; } = Array.Empty<RouteConnection?>();

    public Dictionary<string, RouteConnection> Pinned { get; } = new(StringComparer.Ordinal);

    /// <summary>Accounts we pin that this peer refused to pin: they travel on the pooled route.</summary>
    public HashSet<string> CannotPin { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Accounts this peer moved to a dedicated route by a config reload (route_acc_add_reqid) that
    /// we do not pin ourselves: towards this peer only, they wait for and use the pinned route.
    /// </summary>
    public HashSet<string> PinRequested { get; } = new(StringComparer.Ordinal);

    public int PooledCount
    {
        get
        {
            var count = 0;
            foreach (var slot in Slots)
            {
                if (slot is not null)
                {
                    count++;
                }
            }

            return count;
        }
    }

    public bool IsEmpty => Single is null && PooledCount == 0 && Pinned.Count == 0;

    public IEnumerable<RouteConnection> All
    {
        get
        {
            if (Single is not null)
            {
                yield return Single;
            }

            foreach (var slot in Slots)
            {
                if (slot is not null)
                {
                    yield return slot;
                }
            }

            foreach (var pinned in Pinned.Values)
            {
                yield return pinned;
            }
        }
    }

    /// <summary>One connection to the peer for control traffic: its single route, else its first pooled slot.</summary>
    public RouteConnection? AnyConnection()
    {
        if (Single is { } single)
        {
            return single;
        }

        foreach (var slot in Slots)
        {
            if (slot is not null)
            {
                return slot;
            }
        }

        return null;
    }
}
