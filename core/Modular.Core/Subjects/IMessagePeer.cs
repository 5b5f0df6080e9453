using Modular.Core.Delivery;

namespace Modular.Core.Subjects;

/// <summary>
/// A connection to another server (a route, a gateway to another cluster, a leaf node): it gets one copy of a message however many of its subscriptions match, naming the queue
/// groups it was picked to serve, and a message that came from a peer is never sent to another
/// peer except to bounce a queue pick (the router decides; see Routing/MessageRouter).
/// </summary>
public interface IMessagePeer : ISubscriptionOwner
{
    /// <summary>
    /// True for a connection to another cluster (a gateway): a message it brings goes on to this
    /// cluster's peers but to no other cluster, none from a route goes to it, and a queue group
    /// prefers any member in this cluster to it. Read by the router per peer it considers.
    /// </summary>
    bool IsOtherCluster => false;

    /// <summary>
    /// True for a connection outside the cluster's full mesh that this server serves as a hub (a leaf
    /// node that dialed us): a message that came from a route or another cluster still goes to it, as
    /// nats-server sends route messages on to the leaf nodes it is the hub of.
    /// </summary>
    bool TakesMeshTraffic => false;

    /// <summary>
    /// True when a queue group prefers any member in this cluster to this peer's members (a gateway, a
    /// leaf node): its members are not in the draw, and it gets the message only when no member here could.
    /// </summary>
    bool IsQueueFallback => IsOtherCluster;

    /// <summary>
    /// True when a message this peer brings spreads as a local client's would (a leaf node that dialed
    /// us: to every other peer with interest, routes and gateways and leaf nodes), except that only the
    /// queue groups it names are served. Read once, when the connection's router is built.
    /// </summary>
    bool SpreadsLikeLocal => false;

    /// <summary>
    /// The cluster on the other end of a leaf node connection; empty for every other peer, and for a
    /// leaf without a cluster. A message that came from that leaf cluster (through this server's leaf
    /// connections, or a route's LMSG naming it) never goes back to it (nats-server's leafOrigin), so a
    /// leaf cluster attached to several hub servers does not get its own messages twice.
    /// </summary>
    ReadOnlySpan<byte> RemoteLeafCluster => default;

    /// <summary>
    /// Queues one copy (RMSG or HMSG for a route, LMSG for a leaf node) without flushing, and adds the
    /// connection to <paramref name="batch"/>. <paramref name="account"/> is the account's name as it goes
    /// on the wire; <paramref name="queues"/> the groups this peer was picked for (null or empty: none).
    /// Returns false when nothing was queued (closed, or cut off as slow).
    /// </summary>
    bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch);
}
