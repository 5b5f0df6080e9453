using System.Text;
using Modular.Core.Subjects;
using static Modular.Core.Tests.Subjects.Subs;

namespace Modular.Core.Tests.Subjects;

/// <summary>
/// Random workloads checked result by result against <see cref="ReferenceMatcher"/>. The alphabet
/// is tiny (a, b, c) so wildcards, literals and queue groups collide often.
/// </summary>
public class SubscriptionIndexPropertyTests
{
    private static readonly string[] Letters = ["a", "b", "c"];
    private static readonly string[] Queues = ["q1", "q2", "q3"];

    [Theory]
    [InlineData(12345, SubscriptionIndex.DefaultMaxCacheEntries)]
    [InlineData(777, SubscriptionIndex.DefaultMaxCacheEntries)]
    [InlineData(2024, 16)] // a tiny cache, so eviction runs constantly
    [InlineData(99, 0)]
    public void Match_RandomInsertsRemovesAndMatches_AgreesWithReference(int seed, int cacheSize)
    {
        var random = new Random(seed);
        var index = new SubscriptionIndex(cacheSize);
        var reference = new ReferenceMatcher();
        var live = new List<Subscription>();
        var removed = new List<Subscription>();

        for (int step = 0; step < 6000; step++)
        {
            int op = random.Next(100);
            if (op < 35)
            {
                Subscription sub = RandomSubscription(random);
                index.Insert(sub);
                reference.Insert(sub);
                live.Add(sub);
            }
            else if (op < 40 && live.Count > 0)
            {
                // Inserting an object that is already there must change nothing.
                index.Insert(live[random.Next(live.Count)]);
            }
            else if (op < 42 && removed.Count > 0)
            {
                // A removed subscription may come back.
                Subscription again = removed[random.Next(removed.Count)];
                removed.Remove(again);
                index.Insert(again);
                reference.Insert(again);
                live.Add(again);
            }
            else if (op < 60 && live.Count > 0)
            {
                int at = random.Next(live.Count);
                Subscription sub = live[at];
                live[at] = live[^1];
                live.RemoveAt(live.Count - 1);
                Assert.True(index.Remove(sub));
                reference.Remove(sub);
                removed.Add(sub);
            }
            else if (op < 62)
            {
                Assert.False(index.Remove(RandomSubscription(random)));
            }
            else
            {
                string subject = RandomLiteral(random);
                reference.AssertSame(subject, index.Match(Encoding.UTF8.GetBytes(subject)));
            }

            Assert.Equal(reference.Count, index.Count);
            if (step % 500 == 0)
            {
                Assert.Equal(ExpectedNodeCount(reference.All), index.CountNodes());
            }
        }

        Assert.Equal(ExpectedNodeCount(reference.All), index.CountNodes());
        Assert.Equal(reference.All.ToHashSet(ReferenceEqualityComparer.Instance), index.GetAll().ToHashSet(ReferenceEqualityComparer.Instance));
        foreach (string subject in AllLiterals(5))
        {
            reference.AssertSame(subject, index.Match(Encoding.UTF8.GetBytes(subject)));
        }

        // Draining everything must leave an index that matches nothing.
        foreach (Subscription sub in live)
        {
            Assert.True(index.Remove(sub));
        }

        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.CountNodes());
        foreach (string subject in AllLiterals(5))
        {
            Assert.True(index.Match(Encoding.UTF8.GetBytes(subject)).IsEmpty, subject);
        }
    }

    [Fact]
    public void Match_ConcurrentMatchesDuringInsertsAndRemoves_NeverMissesStableSubscriptions()
    {
        var random = new Random(4242);
        var index = new SubscriptionIndex(maxCacheEntries: 64);
        var reference = new ReferenceMatcher();

        // These are never removed, so every match must contain each one that fits its subject,
        // however the churn below interleaves with it.
        var stable = new List<Subscription>();
        for (int i = 0; i < 40; i++)
        {
            Subscription sub = RandomSubscription(random);
            stable.Add(sub);
            index.Insert(sub);
            reference.Insert(sub);
        }

        string[] subjects = AllLiterals(4).ToArray();
        var expectedStable = subjects.ToDictionary(
            s => s,
            s => stable.Where(sub => ReferenceMatcher.Matches(sub.SubjectText, s)).ToArray());
        byte[][] subjectBytes = subjects.Select(Encoding.UTF8.GetBytes).ToArray();

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int writerDone = 0;
        var readers = new Thread[4];
        for (int r = 0; r < readers.Length; r++)
        {
            int readerSeed = r;
            readers[r] = new Thread(() =>
            {
                var rnd = new Random(readerSeed);
                try
                {
                    for (int n = 0; n < 200_000 && Volatile.Read(ref writerDone) == 0; n++)
                    {
                        int i = rnd.Next(subjects.Length);
                        SubscriptionMatch result = index.Match(subjectBytes[i]);
                        foreach (Subscription must in expectedStable[subjects[i]])
                        {
                            bool found = must.Queue is null
                                ? Array.IndexOf(result.Plain, must) >= 0
                                : result.QueueGroups.Any(g => Array.IndexOf(g, must) >= 0);
                            if (!found)
                            {
                                failures.Enqueue($"'{subjects[i]}' lost stable '{must}'");
                                return;
                            }
                        }
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            });
            readers[r].Start();
        }

        var churn = new List<Subscription>();
        try
        {
            for (int step = 0; step < 20_000; step++)
            {
                if (churn.Count == 0 || random.Next(2) == 0)
                {
                    Subscription sub = RandomSubscription(random);
                    index.Insert(sub);
                    reference.Insert(sub);
                    churn.Add(sub);
                }
                else
                {
                    int at = random.Next(churn.Count);
                    Subscription sub = churn[at];
                    churn[at] = churn[^1];
                    churn.RemoveAt(churn.Count - 1);
                    Assert.True(index.Remove(sub));
                    reference.Remove(sub);
                }
            }
        }
        finally
        {
            Volatile.Write(ref writerDone, 1);
            foreach (Thread reader in readers)
            {
                reader.Join();
            }
        }

        Assert.Empty(failures);
        Assert.Equal(reference.Count, index.Count);
        foreach (string subject in subjects)
        {
            reference.AssertSame(subject, index.Match(Encoding.UTF8.GetBytes(subject)));
        }
    }

    // A pruned trie has exactly one node per distinct token prefix of the live subjects.
    private static int ExpectedNodeCount(IEnumerable<Subscription> live)
    {
        var prefixes = new HashSet<string>();
        foreach (Subscription sub in live)
        {
            string subject = sub.SubjectText;
            for (int i = 0; i <= subject.Length; i++)
            {
                if (i == subject.Length || subject[i] == '.')
                {
                    prefixes.Add(subject[..i]);
                }
            }
        }

        return prefixes.Count;
    }

    private static Subscription RandomSubscription(Random random)
    {
        int tokens = random.Next(1, 5);
        var parts = new string[tokens];
        for (int i = 0; i < tokens; i++)
        {
            int roll = random.Next(100);
            parts[i] = roll switch
            {
                < 20 => "*",
                < 30 when i == tokens - 1 => ">",
                _ => Letters[random.Next(Letters.Length)],
            };
        }

        string? queue = random.Next(100) < 30 ? Queues[random.Next(Queues.Length)] : null;
        return Make(string.Join('.', parts), queue);
    }

    private static string RandomLiteral(Random random)
    {
        int tokens = random.Next(1, 6);
        var parts = new string[tokens];
        for (int i = 0; i < tokens; i++)
        {
            parts[i] = Letters[random.Next(Letters.Length)];
        }

        return string.Join('.', parts);
    }

    private static IEnumerable<string> AllLiterals(int maxTokens)
    {
        var current = new List<string> { string.Empty };
        for (int depth = 1; depth <= maxTokens; depth++)
        {
            var next = new List<string>();
            foreach (string prefix in current)
            {
                foreach (string letter in Letters)
                {
                    string subject = prefix.Length == 0 ? letter : prefix + "." + letter;
                    next.Add(subject);
                    yield return subject;
                }
            }

            current = next;
        }
    }
}
