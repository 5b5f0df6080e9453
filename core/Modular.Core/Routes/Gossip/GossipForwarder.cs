using Microsoft.Extensions.Logging;
using Modular.Abstractions.Discovery;
using Modular.Core.Routes.Dialing;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Routes.Gossip;

/// <summary>
/// Gossip (protocol.md §3.3): forwarding a new peer's INFO to the others, and taking such an INFO
/// in. The decisions (whom to tell, what to dial) are the discovery strategy's; the built-in static
/// strategy tells nobody and dials nothing it learns.
/// </summary>
public sealed class GossipForwarder
{
    private static readonly TimeSpan MaxGossipDialJitter = TimeSpan.FromMilliseconds(250);

    private readonly string _ourId;
    private readonly IRouteDiscovery _discovery;
    private readonly PeerRegistry _registry;
    private readonly RouteDialer _dialer;
    private readonly ILogger _logger;
    private readonly CancellationToken _shutdown;

    public GossipForwarder(string ourId, IRouteDiscovery discovery, PeerRegistry registry, RouteDialer dialer, ILogger logger, CancellationToken shutdown)
    {
        _ourId = ourId;
        _discovery = discovery;
        _registry = registry;
        _dialer = dialer;
        _logger = logger;
        _shutdown = shutdown;
    }

    private static RoutePeerInfo PeerInfoOf(RemotePeer peer) =>
        new(peer.ServerId, peer.Name, peer.GossipUrl, peer.Info?.ConnectUrls ?? [])
        {
            GossipMode = (GossipMode)(peer.Info?.GossipMode ?? 0),
            Origin = peer.Origin,
            DialedOnGossipMode = peer.DialedOnGossipMode,
        };

    /// <summary>A peer registered its first route: tell the other peers about it, as the strategy decides.</summary>
    internal void ForwardAbout(RemotePeer joined)
    {
        if (joined.Info is null || joined.GossipUrl is null)
        {
            return;
        }

        var joinedInfo = PeerInfoOf(joined);
        List<(RouteConnection Route, GossipMode Mode)> sends = new();
        lock (_registry.Gate)
        {
            foreach (var other in _registry.Peers.Values)
            {
                if (ReferenceEquals(other, joined))
                {
                    continue;
                }

                var mode = _discovery.ForwardTo(joinedInfo, new GossipTarget(other.ServerId, other.Name, other.Origin));
                if (mode is not null && other.AnyConnection() is { } route)
                {
                    sends.Add((route, mode.Value));
                }
            }
        }

        foreach (var (route, mode) in sends)
        {
            var gossip = joined.Info.Clone();
            gossip.Nonce = null;
            gossip.Ip = joined.GossipUrl.ToString();
            gossip.GossipMode = (int)mode;
            gossip.RouteAccount = null;
            gossip.RoutePoolIndex = 0;
            route.SendRaw(gossip.ToLine());
        }
    }

    /// <summary>An INFO about another server arrived on a route: dial it if the strategy says so.</summary>
    public void OnGossip(string? viaName, RouteInfo info)
    {
        if (info.ServerId == _ourId || !string.IsNullOrEmpty(info.RouteAccount) || _registry.IsKnown(info.ServerId))
        {
            return;
        }

        Uri? url = null;
        if (!string.IsNullOrEmpty(info.Ip) && Uri.TryCreate(info.Ip, UriKind.Absolute, out var parsed))
        {
            url = parsed;
        }

        if (url is not null && _dialer.IsExplicit(url))
        {
            return; // one of our explicit routes: it is being dialed already
        }

        var peerInfo = new RoutePeerInfo(info.ServerId, info.ServerName, url, info.ConnectUrls ?? [])
        {
            GossipMode = (GossipMode)info.GossipMode,
            Origin = PeerOrigin.Learned,
        };
        foreach (var discovered in _discovery.OnPeerInfo(peerInfo))
        {
            if (_dialer.IsDialing(discovered))
            {
                continue;
            }

            _logger.LogInformation("Discovered route {url} ({remoteName}) via {via}", discovered, info.ServerName, viaName);
            var target = new RouteDialTarget(discovered, IsConfigured: false, PinnedAccount: null) { GossipMode = (GossipMode)info.GossipMode };

            // Many servers learn of a newcomer at once; a little jitter keeps them from all dialing in the same instant.
            _ = Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next((int)MaxGossipDialJitter.TotalMilliseconds)), _shutdown).ConfigureAwait(false);
                    if (!_registry.IsKnown(info.ServerId))
                    {
                        _dialer.Dial(target);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }
    }
}
