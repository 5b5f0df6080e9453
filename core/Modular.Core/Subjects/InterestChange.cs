namespace Modular.Core.Subjects;

/// <summary>
/// A change of local interest in one subject (and queue group): raised when a plain subject gets
/// its first local subscription (<see cref="Count"/> 1) and loses its last (0), and on every
/// change of a queue group's local member count (its weight; 0 when the last member left).
/// </summary>
/// <param name="Origin">The leaf origin cluster of the interest (<see cref="ISubscriptionOwner.LeafOrigin"/>); null for a client's.</param>
public readonly record struct InterestChange(string Subject, string? Queue, int Count, string? Origin = null)
{
    /// <summary>True when nothing local wants the subject (or queue group) any more.</summary>
    public bool IsLast => Count == 0;
}
