namespace Modular.Core.Subjects;

// STUB: the subjects helper replaces this file with the trie + cache implementation.
/// <summary>The subject index of one account: a trie with '*' and '>' nodes and a match-result cache.</summary>
public sealed class SubscriptionIndex
{
    public int Count => throw new NotImplementedException();

    public void Insert(Subscription subscription) => throw new NotImplementedException();

    public bool Remove(Subscription subscription) => throw new NotImplementedException();

    public SubscriptionMatch Match(ReadOnlySpan<byte> subject) => throw new NotImplementedException();

    public IReadOnlyList<Subscription> GetAll() => throw new NotImplementedException();

    public SubscriptionIndexStats GetStats() => throw new NotImplementedException();
}
