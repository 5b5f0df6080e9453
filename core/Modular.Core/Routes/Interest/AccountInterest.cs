namespace Modular.Core.Routes.Interest;

/// <summary>
/// One account's local interest as routes see it: a count per (subject, queue). RS+ goes out on a
/// plain subject's first subscriber and RS- on its last; a queue's RS+ carries the member count and
/// is resent on every change. Guarded by <see cref="Gate"/>, held while the lines are queued so
/// the order on the wire matches the order of changes.
/// </summary>
internal sealed class AccountInterest
{
    public object Gate { get; } = new();

    public Dictionary<(string Subject, string? Queue), int> Counts { get; } = new();
}
