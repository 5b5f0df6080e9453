namespace Modular.Abstractions.Discovery;

/// <summary>How a peer's first route came about, seen from this server.</summary>
public enum PeerOrigin
{
    /// <summary>The peer dialed us.</summary>
    Accepted,

    /// <summary>We dialed one of our configured (explicit) routes.</summary>
    Configured,

    /// <summary>We dialed a route learned from gossip or a discovery strategy (implicit).</summary>
    Learned,
}
