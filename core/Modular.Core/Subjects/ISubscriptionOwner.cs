using Modular.Core.Delivery;

namespace Modular.Core.Subjects;

/// <summary>The connection a subscription belongs to (a client now; a route once clustering lands), and how a message reaches it.</summary>
public interface ISubscriptionOwner
{
    /// <summary>The connection id (cid or rid).</summary>
    ulong Id { get; }

    /// <summary>
    /// True when this owner's subscriptions are interest the cluster must hear of (a client's);
    /// false when the interest came from the cluster (a route's), which is never passed on.
    /// </summary>
    bool AnnouncesInterest => true;

    /// <summary>
    /// Queues <paramref name="message"/> for <paramref name="subscription"/> without flushing; the
    /// owner is added to <paramref name="batch"/> so the publisher flushes it once per read batch.
    /// Returns false when nothing was queued (the owner is closed, or was cut off as slow).
    /// </summary>
    bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch);
}
