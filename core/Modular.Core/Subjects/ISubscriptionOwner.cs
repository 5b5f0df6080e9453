namespace Modular.Core.Subjects;

/// <summary>
/// The connection a subscription belongs to. How a message reaches it is a capability, not a
/// connection type: a local session is an <see cref="ISubscriber"/> (one message per matching
/// subscription), a peer server's connection an <see cref="IMessagePeer"/> (one copy per
/// connection). A subscription records which one its owner is when it is made, so the router
/// never asks per message.
/// </summary>
public interface ISubscriptionOwner
{
    /// <summary>The connection id (cid or rid).</summary>
    ulong Id { get; }

    /// <summary>
    /// True when this owner's subscriptions are interest the cluster must hear of (a client's, and
    /// a leaf node's would be); false when the interest came from the cluster (a route's), which is
    /// never passed on. Read when a subscription is inserted or removed, never per message.
    /// </summary>
    bool AnnouncesInterest => true;

    /// <summary>
    /// True when this owner's subscriptions are interest of this cluster (a client's, or a route's on
    /// behalf of a client elsewhere in the cluster), which other clusters hear of through gateways;
    /// false for a gateway's, which is another cluster's interest. Read when a subscription is
    /// inserted or removed, never per message.
    /// </summary>
    bool IsClusterInterest => true;

    /// <summary>
    /// The cluster a leaf node's interest comes from (its CONNECT's cluster name), for interest this
    /// server announces on a leaf's behalf: route peers that understand it (lnoc) get LS+ with it, so a
    /// leaf cluster attached to several servers never hears its own interest back. Null for every other
    /// owner, and for a leaf that is not part of a cluster. Read when a subscription is inserted or removed.
    /// </summary>
    string? LeafOrigin => null;
}
