namespace Modular.Abstractions.Discovery;

/// <summary>What a route peer told us about itself in its INFO, as discovery needs it.</summary>
public sealed record RoutePeerInfo(string ServerId, string? ServerName, Uri? RouteUrl, IReadOnlyList<string> ClientConnectUrls)
{
    /// <summary>The gossip mode the INFO carried (nats-server's gossip_mode).</summary>
    public GossipMode GossipMode { get; init; }

    /// <summary>How this server came to know the peer: it dialed a configured route, a learned one, or the peer dialed it.</summary>
    public PeerOrigin Origin { get; init; }

    /// <summary>For a learned route: the mode of the gossip that made this server dial it.</summary>
    public GossipMode DialedOnGossipMode { get; init; }
}
