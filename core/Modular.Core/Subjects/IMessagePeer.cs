using Modular.Core.Delivery;

namespace Modular.Core.Subjects;

/// <summary>
/// A connection to another server (a route, or a gateway to another cluster): it gets one copy of a message however many of its subscriptions match, naming the queue
/// groups it was picked to serve, and a message that came from a peer is never sent to another
/// peer except to bounce a queue pick (the router decides; see Routing/MessageRouter).
/// </summary>
public interface IMessagePeer : ISubscriptionOwner
{
    /// <summary>
    /// Queues one copy (RMSG or HMSG for a route) without flushing, and adds the connection to
    /// <paramref name="batch"/>. <paramref name="account"/> is the account's name as it goes on the
    /// wire; <paramref name="queues"/> the groups this peer was picked for (null or empty: none).
    /// Returns false when nothing was queued (closed, or cut off as slow).
    /// </summary>
    /// <summary>
    /// True for a connection to another cluster (a gateway): a message it brings goes on to this
    /// cluster's peers but to no other cluster, none from a route goes to it, and a queue group
    /// prefers any member in this cluster to it. Read by the router per peer it considers.
    /// </summary>
    bool IsOtherCluster => false;

    bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch);
}
