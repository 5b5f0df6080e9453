namespace Modular.Core.Subjects;

// The trie: one Level per token position, one Node per distinct token at that position. A node
// holds the subscriptions whose subject ends at it and the next level for longer subjects.
// Everything here runs under _lock.
public sealed partial class SubscriptionIndex
{
    private const byte SingleWildcard = (byte)'*';
    private const byte FullWildcard = (byte)'>';

    private bool AddToTrie(Subscription subscription)
    {
        Level level = _root;
        byte[] subject = subscription.Subject;
        ReadOnlySpan<byte> rest = subject;
        while (true)
        {
            // The token starts where the rest did: a new node keys it as a slice of this subject.
            int start = subject.Length - rest.Length;
            bool last = SubjectMatcher.NextToken(ref rest, out ReadOnlySpan<byte> token);
            Node node = level.GetOrAddChild(new ReadOnlyMemory<byte>(subject, start, token.Length));
            if (last)
            {
                return node.Add(subscription);
            }

            level = node.Next ??= new Level();
        }
    }

    private bool RemoveFromTrie(Subscription subscription)
    {
        // While walking down, remember the highest node whose whole subtree is the single chain
        // that ends at the target node: if the target empties, that node goes, and with it every
        // node below it. That prunes in one pass without recursion or a path list.
        Level level = _root;
        ReadOnlySpan<byte> rest = subscription.Subject;
        Level pruneLevel = _root;
        ReadOnlySpan<byte> pruneToken = default;
        bool chainBroken = true;
        while (true)
        {
            bool last = SubjectMatcher.NextToken(ref rest, out ReadOnlySpan<byte> token);
            Node? node = level.FindChild(token);
            if (node is null)
            {
                return false;
            }

            if (chainBroken)
            {
                pruneLevel = level;
                pruneToken = token;
            }

            if (last)
            {
                if (!node.Remove(subscription))
                {
                    return false;
                }

                if (node.IsEmpty)
                {
                    pruneLevel.RemoveChild(pruneToken);
                }

                return true;
            }

            if (node.Next is null)
            {
                return false;
            }

            chainBroken = node.HasSubscriptions || node.Next.ChildCount != 1;
            level = node.Next;
        }
    }

    // A subject with an empty token matches nothing, whatever the trie holds, so its (empty)
    // result can be cached like any other and a client repeating it does not take the lock.
    private SubscriptionMatch CollectMatches(ReadOnlySpan<byte> subject)
    {
        if (!IsMatchable(subject))
        {
            return SubscriptionMatch.Empty;
        }

        var builder = new MatchBuilder();
        CollectLevel(_root, subject, builder);
        return builder.Build();
    }

    private static bool IsMatchable(ReadOnlySpan<byte> subject) =>
        !subject.IsEmpty
        && subject[0] != (byte)'.'
        && subject[^1] != (byte)'.'
        && subject.IndexOf(".."u8) < 0;

    // Follows literal children in a loop and recurses only into '*' branches, so the stack depth
    // is the number of '*' nodes on the way, not the number of tokens.
    private static void CollectLevel(Level? level, ReadOnlySpan<byte> subject, MatchBuilder builder)
    {
        while (level is not null)
        {
            bool last = SubjectMatcher.NextToken(ref subject, out ReadOnlySpan<byte> token);

            // '>' here covers this token and all after it: at least one, never zero.
            if (level.Full is { } full)
            {
                builder.Add(full);
            }

            if (level.Single is { } single)
            {
                if (last)
                {
                    builder.Add(single);
                }
                else
                {
                    CollectLevel(single.Next, subject, builder);
                }
            }

            Node? literal = level.FindLiteral(token);
            if (literal is null)
            {
                return;
            }

            if (last)
            {
                builder.Add(literal);
                return;
            }

            level = literal.Next;
        }
    }

    private static void CollectAll(Level level, List<Subscription> into)
    {
        foreach (Node node in level.Literals.Values)
        {
            CollectAll(node, into);
        }

        if (level.Single is { } single)
        {
            CollectAll(single, into);
        }

        if (level.Full is { } full)
        {
            CollectAll(full, into);
        }
    }

    private static void CollectAll(Node node, List<Subscription> into)
    {
        if (node.SinglePlain is { } single)
        {
            into.Add(single);
        }
        else if (node.Plain is { } plain)
        {
            into.AddRange(plain);
        }

        if (node.Queues is { } queues)
        {
            foreach (HashSet<Subscription> members in queues.Values)
            {
                into.AddRange(members);
            }
        }

        if (node.Next is { } next)
        {
            CollectAll(next, into);
        }
    }

    /// <summary>Trie nodes currently allocated; lets tests see that Remove prunes.</summary>
    internal int CountNodes()
    {
        lock (_lock)
        {
            return CountNodes(_root);
        }
    }

    private static int CountNodes(Level level)
    {
        int count = 0;
        foreach (Node node in level.Literals.Values)
        {
            count += 1 + (node.Next is null ? 0 : CountNodes(node.Next));
        }

        foreach (Node? node in (ReadOnlySpan<Node?>)[level.Single, level.Full])
        {
            if (node is not null)
            {
                count += 1 + (node.Next is null ? 0 : CountNodes(node.Next));
            }
        }

        return count;
    }

    private static bool IsToken(ReadOnlySpan<byte> token, byte wildcard) => token.Length == 1 && token[0] == wildcard;

    private sealed class Level
    {
        // Keyed by slices of the subject of the subscription that made the node (it may outlive
        // that subscription, holding one subject array): a token array per node cost ~32 bytes
        // of every distinct subject.
        public readonly Dictionary<ReadOnlyMemory<byte>, Node> Literals = new(SubjectTokenComparer.Instance);

        /// <summary>The '*' child.</summary>
        public Node? Single;

        /// <summary>The '>' child.</summary>
        public Node? Full;

        public int ChildCount => Literals.Count + (Single is null ? 0 : 1) + (Full is null ? 0 : 1);

        public Node? FindLiteral(ReadOnlySpan<byte> token) =>
            Literals.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(token, out Node? node) ? node : null;

        public Node? FindChild(ReadOnlySpan<byte> token)
        {
            if (IsToken(token, SingleWildcard))
            {
                return Single;
            }

            if (IsToken(token, FullWildcard))
            {
                return Full;
            }

            return FindLiteral(token);
        }

        public Node GetOrAddChild(ReadOnlyMemory<byte> slice)
        {
            ReadOnlySpan<byte> token = slice.Span;
            if (IsToken(token, SingleWildcard))
            {
                return Single ??= new Node();
            }

            if (IsToken(token, FullWildcard))
            {
                return Full ??= new Node();
            }

            if (!Literals.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(token, out Node? node))
            {
                node = new Node();
                Literals.Add(slice, node);
            }

            return node;
        }

        public void RemoveChild(ReadOnlySpan<byte> token)
        {
            if (IsToken(token, SingleWildcard))
            {
                Single = null;
            }
            else if (IsToken(token, FullWildcard))
            {
                Full = null;
            }
            else
            {
                Literals.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(token);
            }
        }
    }

    private sealed class Node
    {
        /// <summary>Subscriptions for longer subjects; null when there are none.</summary>
        public Level? Next;

        // A subject mostly has one plain subscription at a node (a peer's interest is one per
        // subject and connection): it is held here as is, and a set is made only for a second one.
        // A one-entry HashSet costs ~170 bytes, a quarter of a remote subscription's footprint; one
        // field for both cases saves 8 bytes more per node. Read on a cache miss only.
        private object? _plain;

        /// <summary>The only plain subscription here, when there is exactly one.</summary>
        public Subscription? SinglePlain => _plain as Subscription;

        /// <summary>The plain subscriptions here, when there are two or more.</summary>
        public HashSet<Subscription>? Plain => _plain as HashSet<Subscription>;

        // Created on first use: most nodes are inner nodes and never hold a subscription.
        public Dictionary<byte[], HashSet<Subscription>>? Queues;

        public bool HasSubscriptions => _plain is not null || Queues is { Count: > 0 };

        public bool IsEmpty => !HasSubscriptions && (Next is null || Next.ChildCount == 0);

        public bool Add(Subscription subscription)
        {
            if (subscription.Queue is not { } queue)
            {
                return AddPlain(subscription);
            }

            Queues ??= new Dictionary<byte[], HashSet<Subscription>>(SubjectBytesComparer.Instance);
            if (!Queues.TryGetValue(queue, out HashSet<Subscription>? members))
            {
                members = new HashSet<Subscription>(ReferenceEqualityComparer.Instance);
                Queues.Add(queue, members);
            }

            return members.Add(subscription);
        }

        public bool Remove(Subscription subscription)
        {
            if (subscription.Queue is not { } queue)
            {
                return RemovePlain(subscription);
            }

            if (Queues is null || !Queues.TryGetValue(queue, out HashSet<Subscription>? members) || !members.Remove(subscription))
            {
                return false;
            }

            if (members.Count == 0)
            {
                Queues.Remove(queue);
            }

            return true;
        }

        private bool AddPlain(Subscription subscription)
        {
            switch (_plain)
            {
                case null:
                    _plain = subscription;
                    return true;
                case HashSet<Subscription> plain:
                    return plain.Add(subscription);
                default:
                    if (ReferenceEquals(_plain, subscription))
                    {
                        return false;
                    }

                    _plain = new HashSet<Subscription>(ReferenceEqualityComparer.Instance) { (Subscription)_plain, subscription };
                    return true;
            }
        }

        private bool RemovePlain(Subscription subscription)
        {
            if (_plain is not HashSet<Subscription> plain)
            {
                if (!ReferenceEquals(_plain, subscription))
                {
                    return false;
                }

                _plain = null;
                return true;
            }

            if (!plain.Remove(subscription))
            {
                return false;
            }

            // Back to the single field when one is left, so churn does not leave sets behind.
            if (plain.Count <= 1)
            {
                _plain = null;
                foreach (Subscription remaining in plain)
                {
                    _plain = remaining;
                }
            }

            return true;
        }
    }

    /// <summary>Gathers the subscriptions of every matching node and merges queue members by name.</summary>
    private sealed class MatchBuilder
    {
        private List<Subscription>? _plain;
        private Dictionary<byte[], List<Subscription>>? _groups;

        public void Add(Node node)
        {
            if (node.SinglePlain is { } single)
            {
                (_plain ??= new List<Subscription>(1)).Add(single);
            }
            else if (node.Plain is { Count: > 0 } plain)
            {
                (_plain ??= new List<Subscription>(plain.Count)).AddRange(plain);
            }

            if (node.Queues is { Count: > 0 } queues)
            {
                _groups ??= new Dictionary<byte[], List<Subscription>>(SubjectBytesComparer.Instance);
                foreach (KeyValuePair<byte[], HashSet<Subscription>> group in queues)
                {
                    if (!_groups.TryGetValue(group.Key, out List<Subscription>? members))
                    {
                        members = new List<Subscription>(group.Value.Count);
                        _groups.Add(group.Key, members);
                    }

                    members.AddRange(group.Value);
                }
            }
        }

        public SubscriptionMatch Build()
        {
            if (_plain is null && _groups is null)
            {
                return SubscriptionMatch.Empty;
            }

            Subscription[] plain = _plain is null ? [] : _plain.ToArray();
            Subscription[][] groups = [];
            if (_groups is not null)
            {
                groups = new Subscription[_groups.Count][];
                int i = 0;
                foreach (List<Subscription> members in _groups.Values)
                {
                    groups[i++] = members.ToArray();
                }
            }

            return new SubscriptionMatch(plain, groups);
        }
    }
}
