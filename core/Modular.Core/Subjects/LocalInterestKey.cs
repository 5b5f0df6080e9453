using System.Text;

namespace Modular.Core.Subjects;

/// <summary>
/// One local interest as <see cref="SubscriptionIndex"/> counts it: a subject, a queue group (null:
/// none) and the leaf origin (null: a client's). Subject and queue are the arrays of a subscription
/// that has them, compared by content, so counting a subscription costs no string: a text key per
/// subject cost ~50 bytes of every client subscription. Texts are made when asked for (events, dumps).
/// </summary>
public readonly struct LocalInterestKey(byte[] subject, byte[]? queue, string? origin) : IEquatable<LocalInterestKey>
{
    public byte[] Subject { get; } = subject;

    public byte[]? Queue { get; } = queue;

    public string? Origin { get; } = origin;

    public string SubjectText => Encoding.UTF8.GetString(Subject);

    public string? QueueText => Queue is null ? null : Encoding.UTF8.GetString(Queue);

    public bool Equals(LocalInterestKey other) =>
        Subject.AsSpan().SequenceEqual(other.Subject)
        && (Queue is null ? other.Queue is null : other.Queue is not null && Queue.AsSpan().SequenceEqual(other.Queue))
        && string.Equals(Origin, other.Origin, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is LocalInterestKey other && Equals(other);

    // HashCode is seeded per process, so crafted subjects cannot aim at one bucket across runs.
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Subject);
        hash.Add(Queue is null ? -1 : Queue.Length);
        hash.AddBytes(Queue);
        hash.Add(Origin, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{SubjectText} {QueueText} {Origin}";
}
