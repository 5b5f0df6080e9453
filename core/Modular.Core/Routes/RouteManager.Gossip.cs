using Microsoft.Extensions.Logging;
using Modular.Abstractions.Discovery;

namespace Modular.Core.Routes;

// Gossip (protocol.md §3.3): the mechanics are here — forwarding a new peer's INFO to the others,
// and taking such an INFO in; the decisions (whom to tell, what to dial) are the discovery
// strategy's. The built-in static strategy tells nobody and dials nothing it learns.
public sealed partial class RouteManager
{
    private static readonly TimeSpan MaxGossipDialJitter = TimeSpan.FromMilliseconds(250);

    private static Uri? GossipUrlOf(RouteConnection route, RouteInfo info)
    {
        if (!string.IsNullOrEmpty(info.Ip) && Uri.TryCreate(info.Ip, UriKind.Absolute, out var advertised))
        {
            return advertised;
        }

        var address = route.RemoteEndPoint?.Address;
        return address is null || info.Port <= 0 ? null : new Uri($"nats-route://{address}:{info.Port}/");
    }

    private static RoutePeerInfo PeerInfoOf(RemotePeer peer) =>
        new(peer.ServerId, peer.Name, peer.GossipUrl, peer.Info?.ConnectUrls ?? [])
        {
            GossipMode = (GossipMode)(peer.Info?.GossipMode ?? 0),
            Origin = peer.Origin,
            DialedOnGossipMode = peer.DialedOnGossipMode,
        };

    /// <summary>A peer registered its first route: tell the other peers about it, as the strategy decides.</summary>
    private void ForwardGossipAbout(RemotePeer joined)
    {
        if (joined.Info is null || joined.GossipUrl is null)
        {
            return;
        }

        var joinedInfo = PeerInfoOf(joined);
        List<(RouteConnection Route, GossipMode Mode)> sends = new();
        lock (_lock)
        {
            foreach (var other in _peers.Values)
            {
                if (ReferenceEquals(other, joined))
                {
                    continue;
                }

                var mode = Discovery.ForwardTo(joinedInfo, new GossipTarget(other.ServerId, other.Name, other.Origin));
                if (mode is not null && AnyConnection(other) is { } route)
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

    /// <summary>One connection to a peer for control traffic: its single route, else its first pooled slot.</summary>
    private static RouteConnection? AnyConnection(RemotePeer peer)
    {
        if (peer.Single is { } single)
        {
            return single;
        }

        foreach (var slot in peer.Slots)
        {
            if (slot is not null)
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>An INFO about another server arrived on a route: dial it if the strategy says so.</summary>
    internal void OnGossip(RouteConnection via, RouteInfo info)
    {
        if (info.ServerId == Server.ServerId || !string.IsNullOrEmpty(info.RouteAccount))
        {
            return;
        }

        Uri? url = null;
        if (!string.IsNullOrEmpty(info.Ip) && Uri.TryCreate(info.Ip, UriKind.Absolute, out var parsed))
        {
            url = parsed;
        }

        lock (_lock)
        {
            if (_peers.ContainsKey(info.ServerId))
            {
                return;
            }
        }

        if (url is not null && IsConfiguredUrl(url))
        {
            return; // one of our explicit routes: it is being dialed already
        }

        var peerInfo = new RoutePeerInfo(info.ServerId, info.ServerName, url, info.ConnectUrls ?? [])
        {
            GossipMode = (GossipMode)info.GossipMode,
            Origin = PeerOrigin.Learned,
        };
        foreach (var discovered in Discovery.OnPeerInfo(peerInfo))
        {
            lock (_lock)
            {
                if (_pooledDialers.GetValueOrDefault(discovered.ToString()) > 0)
                {
                    continue;
                }
            }

            _logger.LogInformation("Discovered route {url} ({remoteName}) via {via}", discovered, info.ServerName, via.RemoteName);
            var target = new RouteDialTarget(discovered, IsConfigured: false, PinnedAccount: null) { GossipMode = (GossipMode)info.GossipMode };

            // Many servers learn of a newcomer at once; a little jitter keeps them from all dialing in the same instant.
            _ = Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next((int)MaxGossipDialJitter.TotalMilliseconds)), _shutdown.Token).ConfigureAwait(false);
                    lock (_lock)
                    {
                        if (_peers.ContainsKey(info.ServerId))
                        {
                            return;
                        }
                    }

                    StartSolicitor(target);
                }
                catch (OperationCanceledException)
                {
                }
            });
        }
    }

    private bool IsConfiguredUrl(Uri url)
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
}
