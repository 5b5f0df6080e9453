namespace Modular.Core.Routes;

/// <summary>What a soliciting route dials: the URL, whether it is configured (explicit) and, for a pinned route, its account.</summary>
public sealed record RouteDialTarget(Uri Url, bool IsConfigured, string? PinnedAccount)
{
    /// <summary>For a route learned from gossip: the mode the gossip carried (sent on in our INFO).</summary>
    public Abstractions.Discovery.GossipMode GossipMode { get; init; }
}
