using Modular.Core.Subjects;

namespace Modular.Core.Routes.Interest;

/// <summary>A subject and an optional queue name as read off an RS+/RS- line (empty queue: none).</summary>
public readonly ref struct SubjectQueue(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
{
    public ReadOnlySpan<byte> Subject { get; } = subject;

    public ReadOnlySpan<byte> Queue { get; } = queue;
}

/// <summary>
/// Compares subscriptions by subject and queue, and finds one by a <see cref="SubjectQueue"/> read
/// off the wire, so a peer's interest can be looked up without a key object per subscription:
/// the subscription is its own key.
/// </summary>
internal sealed class SubjectQueueComparer :
    IEqualityComparer<Subscription>,
    IAlternateEqualityComparer<SubjectQueue, Subscription>
{
    public static readonly SubjectQueueComparer Instance = new();

    private SubjectQueueComparer()
    {
    }

    public bool Equals(Subscription? x, Subscription? y) =>
        ReferenceEquals(x, y)
        || (x is not null && y is not null && Equals(new SubjectQueue(x.Subject, x.Queue), y));

    public int GetHashCode(Subscription obj) => Hash(obj.Subject, obj.Queue);

    public bool Equals(SubjectQueue alternate, Subscription other) =>
        alternate.Subject.SequenceEqual(other.Subject) && alternate.Queue.SequenceEqual(other.Queue);

    public int GetHashCode(SubjectQueue alternate) => Hash(alternate.Subject, alternate.Queue);

    // A subscription needs its owner: RemoteInterest makes them and adds them itself.
    public Subscription Create(SubjectQueue alternate) => throw new NotSupportedException();

    // HashCode is seeded per process, so crafted subjects cannot aim at one bucket across runs.
    private static int Hash(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        var hash = new HashCode();
        hash.AddBytes(subject);
        hash.Add(queue.Length);
        hash.AddBytes(queue);
        return hash.ToHashCode();
    }
}
