namespace Modular.Core.Subjects;

/// <summary>
/// The subscriptions that match one literal subject: plain ones, and queue groups (each group's
/// members together; a message goes to one member per group). Immutable once built, so it can be
/// cached and read by many publishers at once.
/// </summary>
public sealed class SubscriptionMatch
{
    public static readonly SubscriptionMatch Empty = new(Array.Empty<Subscription>(), Array.Empty<Subscription[]>());

    public SubscriptionMatch(Subscription[] plain, Subscription[][] queueGroups)
    {
        Plain = plain;
        QueueGroups = queueGroups;

        // Summed once here so the fanout statistics cost nothing per cache hit.
        int count = plain.Length;
        foreach (Subscription[] group in queueGroups)
        {
            count += group.Length;
        }

        Count = count;
    }

    public Subscription[] Plain { get; }

    /// <summary>One array per distinct queue name, holding that group's members.</summary>
    public Subscription[][] QueueGroups { get; }

    /// <summary>All subscriptions in this result: the plain ones plus every queue member.</summary>
    public int Count { get; }

    public bool IsEmpty => Plain.Length == 0 && QueueGroups.Length == 0;
}
