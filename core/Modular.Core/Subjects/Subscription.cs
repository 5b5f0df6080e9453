using System.Text;

namespace Modular.Core.Subjects;

/// <summary>
/// One subscription held in a <see cref="SubscriptionIndex"/>: a subject (possibly with wildcards),
/// an optional queue group, and the connection that owns it. Subject and queue are kept as UTF-8
/// bytes so matching and delivery never build strings.
/// </summary>
public sealed class Subscription
{
    public Subscription(ISubscriptionOwner owner, byte[] subject, byte[]? queue, byte[] sid)
    {
        Owner = owner;
        Subject = subject;
        Queue = queue;
        Sid = sid;
    }

    public ISubscriptionOwner Owner { get; }

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

    public string SubjectText => Encoding.UTF8.GetString(Subject);

    public string? QueueText => Queue is null ? null : Encoding.UTF8.GetString(Queue);

    public string SidText => Encoding.ASCII.GetString(Sid);

    public override string ToString() => Queue is null ? SubjectText : $"{SubjectText} {QueueText}";
}
