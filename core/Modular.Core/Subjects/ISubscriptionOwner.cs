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
}
