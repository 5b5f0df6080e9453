using System.Text;

namespace Modular.Core.Subjects;

/// <summary>
/// One subscription held in a <see cref="SubscriptionIndex"/>: a subject (possibly with wildcards),
/// an optional queue group, and the connection that owns it. Subject and queue are kept as UTF-8
/// bytes so matching and delivery never build strings. Which kind of owner it has (a local
/// <see cref="ISubscriber"/> or an <see cref="IMessagePeer"/>) is fixed by the constructor the
/// owner calls, so the router reads a field instead of testing types per message.
/// </summary>
public sealed class Subscription
{
    /// <summary>A local session's subscription: delivered one message per match.</summary>
    public Subscription(ISubscriber owner, byte[] subject, byte[]? queue, byte[] sid)
        : this(subject, queue, sid)
    {
        Subscriber = owner;
    }

    /// <summary>A peer server's interest: served by one copy per connection.</summary>
    public Subscription(IMessagePeer owner, byte[] subject, byte[]? queue, byte[] sid)
        : this(subject, queue, sid)
    {
        Peer = owner;
    }

    private Subscription(byte[] subject, byte[]? queue, byte[] sid)
    {
        Subject = subject;
        Queue = queue;
        Sid = sid;
    }

    // Exactly one of Subscriber and Peer is set: the owner is whichever it is, not a third field
    // (a node can hold hundreds of thousands of these).
    public ISubscriptionOwner Owner => (ISubscriptionOwner?)Subscriber ?? Peer!;

    /// <summary>Set when the owner is a local session; null for a peer's interest.</summary>
    public ISubscriber? Subscriber { get; }

    /// <summary>Set when the owner is a peer server's connection; null for a local subscription.</summary>
    public IMessagePeer? Peer { get; }

    public byte[] Subject { get; }

    /// <summary>Null for a plain subscription.</summary>
    public byte[]? Queue { get; }

    /// <summary>The client's subscription id as it appears on the wire.</summary>
    public byte[] Sid { get; }

    /// <summary>Messages delivered so far (the owner increments it).</summary>
    public long Delivered;

    /// <summary>Auto-unsubscribe after this many messages; 0 means no limit.</summary>
    public long MaxMessages;

    /// <summary>
    /// How many members this entry stands for in its queue group: 1 for a local subscriber, the
    /// peer's member count for a route's queue interest (RS+ weight, updated in place).
    /// </summary>
    public volatile int Weight = 1;

    /// <summary>Set once the subscription has been removed, so in-flight deliveries can skip it.</summary>
    public volatile bool Closed;

    /// <summary>
    /// The leaf cluster this interest stands for: a clustered leaf's own (on its hub), or a route
    /// peer's that came as LS+ with an origin. A leaf connection of that cluster is never told of it
    /// (nats-server's sub.origin), so a leaf cluster attached to several hub servers does not hear its
    /// own interest back. Null for every other subscription.
    /// </summary>
    public string? LeafOrigin { get; init; }

    public string SubjectText => Encoding.UTF8.GetString(Subject);

    public string? QueueText => Queue is null ? null : Encoding.UTF8.GetString(Queue);

    public string SidText => Encoding.ASCII.GetString(Sid);

    public override string ToString() => Queue is null ? SubjectText : $"{SubjectText} {QueueText}";
}
