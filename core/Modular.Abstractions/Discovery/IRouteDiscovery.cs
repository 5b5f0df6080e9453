namespace Modular.Abstractions.Discovery;

/// <summary>
/// The discovery seam: tells the route manager which peers to dial, and learns from peers' INFO.
/// The built-in default is static: exactly the configured routes, nothing learned.
/// </summary>
public interface IRouteDiscovery
{
    /// <summary>The route URLs to dial at start (explicit routes: redialed for ever).</summary>
    IReadOnlyList<Uri> InitialRoutes { get; }

    /// <summary>
    /// Called once the route listener is up. A strategy that learns peers on its own (a watched
    /// file, DNS) keeps the dialer and calls it whenever it finds a new peer.
    /// </summary>
    void Attach(IRouteDialer dialer);

    /// <summary>
    /// Called when a peer's INFO arrives (including gossip about other servers). Returns URLs that
    /// should be dialed now as implicit routes; an empty list means nothing new.
    /// </summary>
    IReadOnlyList<Uri> OnPeerInfo(RoutePeerInfo peer);

    /// <summary>
    /// A peer just registered its first route here. Return whether to tell <paramref name="target"/>
    /// about it, and with which gossip mode (null: tell it nothing). The default tells nobody, so a
    /// server without a gossip strategy keeps the mesh exactly as configured.
    /// </summary>
    GossipMode? ForwardTo(RoutePeerInfo joined, GossipTarget target) => null;
}
