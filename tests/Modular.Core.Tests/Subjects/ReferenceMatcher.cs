using System.Text;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Tests.Subjects;

/// <summary>
/// The obviously-correct matcher the index is checked against: a flat list of subscriptions and
/// a token-by-token comparison written from the protocol rules, with no trie and no cache.
/// </summary>
internal sealed class ReferenceMatcher
{
    private readonly HashSet<Subscription> _subscriptions = new(ReferenceEqualityComparer.Instance);

    public int Count => _subscriptions.Count;

    public IReadOnlyCollection<Subscription> All => _subscriptions;

    public void Insert(Subscription subscription) => _subscriptions.Add(subscription);

    public bool Remove(Subscription subscription) => _subscriptions.Remove(subscription);

    public static bool Matches(string pattern, string subject)
    {
        string[] p = pattern.Split('.');
        string[] s = subject.Split('.');
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == ">")
            {
                return s.Length > i;
            }

            if (i >= s.Length || (p[i] != "*" && p[i] != s[i]))
            {
                return false;
            }
        }

        return p.Length == s.Length;
    }

    public (HashSet<Subscription> Plain, Dictionary<string, HashSet<Subscription>> Groups) Match(string subject)
    {
        var plain = new HashSet<Subscription>(ReferenceEqualityComparer.Instance);
        var groups = new Dictionary<string, HashSet<Subscription>>();
        foreach (Subscription sub in _subscriptions)
        {
            if (!Matches(sub.SubjectText, subject))
            {
                continue;
            }

            if (sub.QueueText is { } queue)
            {
                if (!groups.TryGetValue(queue, out HashSet<Subscription>? members))
                {
                    members = new HashSet<Subscription>(ReferenceEqualityComparer.Instance);
                    groups.Add(queue, members);
                }

                members.Add(sub);
            }
            else
            {
                plain.Add(sub);
            }
        }

        return (plain, groups);
    }

    /// <summary>Asserts that <paramref name="actual"/> holds exactly what the reference finds, as sets.</summary>
    public void AssertSame(string subject, SubscriptionMatch actual)
    {
        (HashSet<Subscription> plain, Dictionary<string, HashSet<Subscription>> groups) = Match(subject);
        AssertSame(subject, plain, groups, actual);
    }

    public static void AssertSame(
        string subject,
        HashSet<Subscription> plain,
        Dictionary<string, HashSet<Subscription>> groups,
        SubscriptionMatch actual)
    {
        Assert.True(plain.Count == actual.Plain.Length, $"'{subject}': expected {plain.Count} plain, got {actual.Plain.Length}");
        Assert.True(plain.SetEquals(actual.Plain), $"'{subject}': plain subscriptions differ");
        Assert.True(groups.Count == actual.QueueGroups.Length, $"'{subject}': expected {groups.Count} queue groups, got {actual.QueueGroups.Length}");

        var seen = new HashSet<string>();
        foreach (Subscription[] group in actual.QueueGroups)
        {
            Assert.NotEmpty(group);
            string name = group[0].QueueText!;
            Assert.All(group, member => Assert.Equal(name, member.QueueText));
            Assert.True(seen.Add(name), $"'{subject}': queue group '{name}' appears twice");
            Assert.True(groups.TryGetValue(name, out HashSet<Subscription>? expected), $"'{subject}': unexpected group '{name}'");
            Assert.True(expected!.Count == group.Length && expected.SetEquals(group), $"'{subject}': members of '{name}' differ");
        }

        Assert.Equal(plain.Count + groups.Values.Sum(g => g.Count), actual.Count);
    }
}

internal sealed class TestOwner(ulong id) : ISubscriber
{
    public static readonly TestOwner Default = new(1);

    public ulong Id { get; } = id;

    // The index never delivers; it only stores owners.
    public bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch) => false;
}

internal static class Subs
{
    private static int s_sid;

    public static Subscription Make(string subject, string? queue = null, ISubscriber? owner = null) =>
        new(
            owner ?? TestOwner.Default,
            Encoding.UTF8.GetBytes(subject),
            queue is null ? null : Encoding.UTF8.GetBytes(queue),
            Encoding.ASCII.GetBytes(Interlocked.Increment(ref s_sid).ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A peer's interest (a route's subscription), as RemoteInterest makes it.</summary>
    public static Subscription MakeRemote(string subject, IMessagePeer owner, string? queue = null) =>
        new(
            owner,
            Encoding.UTF8.GetBytes(subject),
            queue is null ? null : Encoding.UTF8.GetBytes(queue),
            Array.Empty<byte>());

    public static byte[] B(string subject) => Encoding.UTF8.GetBytes(subject);
}
