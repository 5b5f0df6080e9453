namespace Modular.Abstractions.Discovery;

/// <summary>nats-server's gossip_mode on the wire: how a server that learns of a peer should pass it on.</summary>
public enum GossipMode
{
    /// <summary>0: the usual rules.</summary>
    Default = 0,

    /// <summary>1: do not forward this server's INFO to others.</summary>
    Disabled = 1,

    /// <summary>2: forward even from a route that was itself learned by gossip.</summary>
    Override = 2,
}
