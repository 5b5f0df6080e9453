using Modular.Core.Delivery;

namespace Modular.Core.Subjects;

/// <summary>A local session (a client today): it gets one message per matching subscription, addressed by that subscription's sid.</summary>
public interface ISubscriber : ISubscriptionOwner
{
    /// <summary>
    /// Queues <paramref name="message"/> for <paramref name="subscription"/> without flushing; the
    /// owner is added to <paramref name="batch"/> so the publisher flushes it once per read batch.
    /// Returns false when nothing was queued (the subscription is closed or used up, or the owner
    /// is closed or was cut off as slow).
    /// </summary>
    bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch);
}
