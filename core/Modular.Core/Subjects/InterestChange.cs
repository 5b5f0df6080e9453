namespace Modular.Core.Subjects;

/// <summary>
/// A change of local interest in one subject (and queue group): raised when a plain subject gets
/// its first local subscription (<see cref="Count"/> 1) and loses its last (0), and on every
/// change of a queue group's local member count (its weight; 0 when the last member left).
/// </summary>
public readonly record struct InterestChange(string Subject, string? Queue, int Count)
{
    /// <summary>True when nothing local wants the subject (or queue group) any more.</summary>
    public bool IsLast => Count == 0;
}
