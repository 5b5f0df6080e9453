using Modular.Core.Subjects;
using static Modular.Core.Tests.Subjects.Subs;

namespace Modular.Core.Tests.Subjects;

public class SubscriptionIndexTests
{
    [Fact]
    public void Match_LiteralSubscription_MatchesOnlyItsSubject()
    {
        var index = new SubscriptionIndex();
        Subscription foo = Make("foo.bar");
        index.Insert(foo);

        Assert.Equal([foo], index.Match(B("foo.bar")).Plain);
        Assert.True(index.Match(B("foo")).IsEmpty);
        Assert.True(index.Match(B("foo.baz")).IsEmpty);
        Assert.True(index.Match(B("foo.bar.baz")).IsEmpty);
    }

    [Fact]
    public void Match_EmptyIndex_ReturnsEmpty()
    {
        var index = new SubscriptionIndex();

        SubscriptionMatch result = index.Match(B("foo"));

        Assert.True(result.IsEmpty);
        Assert.Equal(0, result.Count);
        Assert.False(index.HasInterest(B("foo")));
    }

    [Fact]
    public void Match_SingleWildcard_MatchesExactlyOneToken()
    {
        var index = new SubscriptionIndex();
        Subscription sub = Make("foo.*");
        index.Insert(sub);

        Assert.Equal([sub], index.Match(B("foo.bar")).Plain);
        Assert.Equal([sub], index.Match(B("foo.baz")).Plain);
        Assert.True(index.Match(B("foo")).IsEmpty);
        Assert.True(index.Match(B("foo.bar.baz")).IsEmpty);
        Assert.True(index.Match(B("bar.foo")).IsEmpty);
    }

    [Fact]
    public void Match_SingleWildcardInMiddle_MatchesAnyMiddleToken()
    {
        var index = new SubscriptionIndex();
        Subscription sub = Make("a.*.c");
        index.Insert(sub);

        Assert.Equal([sub], index.Match(B("a.b.c")).Plain);
        Assert.Equal([sub], index.Match(B("a.x.c")).Plain);
        Assert.True(index.Match(B("a.b.d")).IsEmpty);
        Assert.True(index.Match(B("a.c")).IsEmpty);
    }

    [Fact]
    public void Match_FullWildcard_MatchesOneOrMoreTokens()
    {
        var index = new SubscriptionIndex();
        Subscription sub = Make("foo.>");
        index.Insert(sub);

        Assert.Equal([sub], index.Match(B("foo.bar")).Plain);
        Assert.Equal([sub], index.Match(B("foo.bar.baz.qux")).Plain);
        Assert.True(index.Match(B("bar.baz")).IsEmpty);
    }

    [Fact]
    public void Match_FullWildcard_DoesNotMatchZeroTokens()
    {
        var index = new SubscriptionIndex();
        index.Insert(Make("foo.>"));

        Assert.True(index.Match(B("foo")).IsEmpty);
    }

    [Fact]
    public void Match_RootFullWildcard_MatchesEverything()
    {
        var index = new SubscriptionIndex();
        Subscription all = Make(">");
        index.Insert(all);

        Assert.Equal([all], index.Match(B("foo")).Plain);
        Assert.Equal([all], index.Match(B("a.b.c.d")).Plain);
    }

    [Fact]
    public void Match_WildcardCharactersInsideToken_AreLiteral()
    {
        var index = new SubscriptionIndex();
        Subscription star = Make("foo*");
        Subscription gt = Make("a>b");
        index.Insert(star);
        index.Insert(gt);

        Assert.Equal([star], index.Match(B("foo*")).Plain);
        Assert.True(index.Match(B("foo")).IsEmpty);
        Assert.True(index.Match(B("fooX")).IsEmpty);
        Assert.Equal([gt], index.Match(B("a>b")).Plain);
        Assert.True(index.Match(B("a.b")).IsEmpty);
    }

    [Fact]
    public void Match_OverlappingSubscriptions_ReturnsAllOfThem()
    {
        var index = new SubscriptionIndex();
        Subscription literal = Make("a.b.c");
        Subscription single = Make("a.*.c");
        Subscription first = Make("*.b.c");
        Subscription full = Make("a.>");
        Subscription root = Make(">");
        Subscription miss = Make("a.b");
        foreach (Subscription s in new[] { literal, single, first, full, root, miss })
        {
            index.Insert(s);
        }

        SubscriptionMatch result = index.Match(B("a.b.c"));

        Assert.Equal(5, result.Plain.Length);
        Assert.Equal(new HashSet<Subscription> { literal, single, first, full, root }, result.Plain.ToHashSet());
        Assert.Equal(5, result.Count);
    }

    [Fact]
    public void Match_QueueMembersOnLiteralAndWildcardNodes_GroupedByName()
    {
        var index = new SubscriptionIndex();
        Subscription plain = Make("orders.new");
        Subscription w1 = Make("orders.new", "workers");
        Subscription w2 = Make("orders.*", "workers");
        Subscription w3 = Make("orders.>", "workers");
        Subscription a1 = Make("orders.*", "audit");
        Subscription a2 = Make(">", "audit");
        Subscription other = Make("orders.old", "workers");
        foreach (Subscription s in new[] { plain, w1, w2, w3, a1, a2, other })
        {
            index.Insert(s);
        }

        SubscriptionMatch result = index.Match(B("orders.new"));

        Assert.Equal([plain], result.Plain);
        Assert.Equal(2, result.QueueGroups.Length);
        Subscription[] workers = Assert.Single(result.QueueGroups, g => g[0].QueueText == "workers");
        Subscription[] audit = Assert.Single(result.QueueGroups, g => g[0].QueueText == "audit");
        Assert.Equal(new HashSet<Subscription> { w1, w2, w3 }, workers.ToHashSet());
        Assert.Equal(new HashSet<Subscription> { a1, a2 }, audit.ToHashSet());
        Assert.Equal(6, result.Count);
    }

    [Fact]
    public void Insert_SameObjectTwice_KeepsOneCopy()
    {
        var index = new SubscriptionIndex();
        Subscription sub = Make("foo");
        Subscription queued = Make("foo", "q");

        index.Insert(sub);
        index.Insert(sub);
        index.Insert(queued);
        index.Insert(queued);

        Assert.Equal(2, index.Count);
        SubscriptionMatch result = index.Match(B("foo"));
        Assert.Equal([sub], result.Plain);
        Assert.Equal([queued], Assert.Single(result.QueueGroups));
        Assert.Equal(2, index.GetStats().Inserts);
    }

    [Fact]
    public void Insert_EqualButDistinctObjects_KeepsBoth()
    {
        var index = new SubscriptionIndex();
        var owner = new TestOwner(7);
        var a = new Subscription(owner, B("foo"), null, B("1"));
        var b = new Subscription(owner, B("foo"), null, B("1"));

        index.Insert(a);
        index.Insert(b);

        Assert.Equal(2, index.Match(B("foo")).Plain.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("foo..bar")]
    [InlineData("foo.>.bar")]
    [InlineData("foo bar")]
    public void Insert_InvalidSubject_Throws(string subject)
    {
        var index = new SubscriptionIndex();

        Assert.Throws<ArgumentException>(() => index.Insert(Make(subject)));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Insert_InvalidQueueName_Throws()
    {
        var index = new SubscriptionIndex();

        Assert.Throws<ArgumentException>(() => index.Insert(Make("foo", "bad queue")));
        Assert.Throws<ArgumentException>(() => index.Insert(Make("foo", "")));
    }

    [Fact]
    public void Remove_PresentSubscription_RemovesItAndReturnsTrue()
    {
        var index = new SubscriptionIndex();
        Subscription keep = Make("foo.*");
        Subscription drop = Make("foo.bar");
        Subscription queued = Make("foo.bar", "q");
        index.Insert(keep);
        index.Insert(drop);
        index.Insert(queued);

        Assert.True(index.Remove(drop));
        Assert.True(index.Remove(queued));

        Assert.Equal(1, index.Count);
        SubscriptionMatch result = index.Match(B("foo.bar"));
        Assert.Equal([keep], result.Plain);
        Assert.Empty(result.QueueGroups);
    }

    [Fact]
    public void Remove_AbsentSubscription_ReturnsFalse()
    {
        var index = new SubscriptionIndex();
        Subscription present = Make("foo.bar");
        index.Insert(present);

        Assert.False(index.Remove(Make("foo.bar")));
        Assert.False(index.Remove(Make("foo.baz")));
        Assert.False(index.Remove(Make("foo")));
        Assert.False(index.Remove(Make("foo.bar.baz")));
        Assert.False(index.Remove(Make("foo.bar", "q")));
        Assert.True(index.Remove(present));
        Assert.False(index.Remove(present));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Remove_LastSubscriptionOfChain_LeavesSiblingsAndPrefixesWorking()
    {
        var index = new SubscriptionIndex();
        Subscription prefix = Make("a");
        Subscription sibling = Make("a.b.x");
        Subscription deep = Make("a.b.c.d.e");
        index.Insert(prefix);
        index.Insert(sibling);
        int nodesBefore = index.CountNodes();
        index.Insert(deep);

        Assert.True(index.Remove(deep));

        Assert.Equal(nodesBefore, index.CountNodes());

        Assert.Equal([prefix], index.Match(B("a")).Plain);
        Assert.Equal([sibling], index.Match(B("a.b.x")).Plain);
        Assert.True(index.Match(B("a.b.c.d.e")).IsEmpty);

        // The pruned path can be built again.
        index.Insert(deep);
        Assert.Equal([deep], index.Match(B("a.b.c.d.e")).Plain);
    }

    [Fact]
    public void Remove_EverySubscription_LeavesAnEmptyIndexThatStillWorks()
    {
        var index = new SubscriptionIndex();
        var subs = new[] { Make("a.b.c"), Make("a.*.c"), Make("a.>"), Make("*"), Make(">"), Make("a.b.c", "q") };
        foreach (Subscription s in subs)
        {
            index.Insert(s);
        }

        foreach (Subscription s in subs)
        {
            Assert.True(index.Remove(s));
        }

        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.CountNodes());
        Assert.Empty(index.GetAll());
        Assert.True(index.Match(B("a.b.c")).IsEmpty);
        index.Insert(subs[1]);
        Assert.Equal([subs[1]], index.Match(B("a.x.c")).Plain);
    }

    [Fact]
    public void GetAll_AfterInsertsAndRemoves_ReturnsSnapshotOfCurrent()
    {
        var index = new SubscriptionIndex();
        var subs = new[] { Make("a"), Make("a.b"), Make("a.*"), Make(">"), Make("a.b", "q1"), Make("a.b", "q2") };
        foreach (Subscription s in subs)
        {
            index.Insert(s);
        }

        index.Remove(subs[0]);
        IReadOnlyList<Subscription> all = index.GetAll();
        index.Insert(Make("later"));

        Assert.Equal(subs.Skip(1).ToHashSet(), all.ToHashSet());
        Assert.Equal(5, all.Count);
    }

    [Fact]
    public void Match_CachedResultThenLiteralInsert_SeesNewSubscription()
    {
        var index = new SubscriptionIndex();
        Subscription first = Make("foo.bar");
        index.Insert(first);
        Assert.Single(index.Match(B("foo.bar")).Plain);
        Assert.Single(index.Match(B("foo.bar")).Plain);
        Assert.Equal(1, index.GetStats().CacheHits);

        Subscription second = Make("foo.bar");
        index.Insert(second);

        Assert.Equal(new HashSet<Subscription> { first, second }, index.Match(B("foo.bar")).Plain.ToHashSet());
    }

    [Fact]
    public void Match_CachedEmptyResultThenWildcardInsert_SeesNewSubscription()
    {
        var index = new SubscriptionIndex();
        Assert.True(index.Match(B("foo.bar")).IsEmpty);
        Assert.True(index.Match(B("baz")).IsEmpty);
        Assert.Equal(2, index.GetStats().CacheEntries);

        Subscription wildcard = Make("foo.*");
        index.Insert(wildcard);

        Assert.Equal([wildcard], index.Match(B("foo.bar")).Plain);

        // Only the entry the wildcard matches was dropped.
        Assert.True(index.Match(B("baz")).IsEmpty);
        Assert.Equal(1, index.GetStats().CacheHits);
    }

    [Fact]
    public void Match_CachedResultThenLiteralRemove_NoLongerSeesSubscription()
    {
        var index = new SubscriptionIndex();
        Subscription sub = Make("foo.bar");
        index.Insert(sub);
        Assert.Equal([sub], index.Match(B("foo.bar")).Plain);

        index.Remove(sub);

        Assert.True(index.Match(B("foo.bar")).IsEmpty);
    }

    [Fact]
    public void Match_CachedResultThenWildcardRemove_NoLongerSeesSubscription()
    {
        var index = new SubscriptionIndex();
        Subscription literal = Make("foo.bar.baz");
        Subscription wildcard = Make("foo.>");
        index.Insert(literal);
        index.Insert(wildcard);
        Assert.Equal(2, index.Match(B("foo.bar.baz")).Plain.Length);
        Assert.Equal([wildcard], index.Match(B("foo.x")).Plain);

        index.Remove(wildcard);

        Assert.Equal([literal], index.Match(B("foo.bar.baz")).Plain);
        Assert.True(index.Match(B("foo.x")).IsEmpty);
    }

    [Fact]
    public void Match_CachedQueueResultThenQueueInsert_GroupsStayMerged()
    {
        var index = new SubscriptionIndex();
        Subscription q1 = Make("foo.bar", "q");
        index.Insert(q1);
        Assert.Single(Assert.Single(index.Match(B("foo.bar")).QueueGroups));

        Subscription q2 = Make("*.bar", "q");
        index.Insert(q2);

        Subscription[] group = Assert.Single(index.Match(B("foo.bar")).QueueGroups);
        Assert.Equal(new HashSet<Subscription> { q1, q2 }, group.ToHashSet());
    }

    [Fact]
    public void Match_SubjectWithEmptyToken_ReturnsEmpty()
    {
        var index = new SubscriptionIndex();
        index.Insert(Make(">"));
        index.Insert(Make("foo.*.bar"));
        index.Insert(Make("*"));

        Assert.True(index.Match(B("foo..bar")).IsEmpty);
        Assert.True(index.Match(B(".foo")).IsEmpty);
        Assert.True(index.Match(B("foo.")).IsEmpty);
        Assert.True(index.Match(B("")).IsEmpty);

        // Cached, and still empty after inserts that drop the cached entries.
        index.Insert(Make("*.*.bar"));
        index.Insert(Make("foo.>"));
        Assert.True(index.Match(B("foo..bar")).IsEmpty);
        Assert.True(index.Match(B("foo.")).IsEmpty);
        Assert.True(index.Match(B("")).IsEmpty);
    }

    [Fact]
    public void Match_SubjectWithWildcardTokens_TreatsThemLiterally()
    {
        // Non-pedantic clients may publish to such subjects; only wildcard subscriptions see them.
        var index = new SubscriptionIndex();
        Subscription literal = Make("foo.bar");
        Subscription single = Make("foo.*");
        Subscription full = Make("foo.>");
        index.Insert(literal);
        index.Insert(single);
        index.Insert(full);

        Assert.Equal(new HashSet<Subscription> { single, full }, index.Match(B("foo.*")).Plain.ToHashSet());
        Assert.Equal([full], index.Match(B("foo.>.x")).Plain);

        index.Remove(single);
        Assert.Equal([full], index.Match(B("foo.*")).Plain);
    }

    [Fact]
    public void Match_MoreSubjectsThanCacheHolds_StaysBoundedAndCorrect()
    {
        var index = new SubscriptionIndex(maxCacheEntries: 64);
        Subscription wildcard = Make("s.*");
        index.Insert(wildcard);

        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal([wildcard], index.Match(B($"s.{i}")).Plain);
            Assert.InRange(index.GetStats().CacheEntries, 1, 64);
        }

        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal([wildcard], index.Match(B($"s.{i}")).Plain);
        }
    }

    [Fact]
    public void Match_CacheTurnedOff_StillMatches()
    {
        var index = new SubscriptionIndex(maxCacheEntries: 0);
        Subscription sub = Make("foo");
        index.Insert(sub);

        Assert.Equal([sub], index.Match(B("foo")).Plain);
        Assert.Equal([sub], index.Match(B("foo")).Plain);
        SubscriptionIndexStats stats = index.GetStats();
        Assert.Equal(0, stats.CacheEntries);
        Assert.Equal(0, stats.CacheHits);
    }

    [Fact]
    public void GetStats_AfterActivity_CountsEverything()
    {
        var index = new SubscriptionIndex();
        Subscription a = Make("foo");
        Subscription b = Make("foo", "q");
        Subscription c = Make("*", "q");
        index.Insert(a);
        index.Insert(b);
        index.Insert(c);
        index.Remove(c);

        index.Match(B("foo"));  // miss, fanout 2
        index.Match(B("foo"));  // hit, fanout 2
        index.Match(B("bar"));  // miss, fanout 0
        index.Match(B("bar"));  // hit, fanout 0

        SubscriptionIndexStats stats = index.GetStats();
        Assert.Equal(2, stats.Count);
        Assert.Equal(2, stats.CacheEntries);
        Assert.Equal(3, stats.Inserts);
        Assert.Equal(1, stats.Removes);
        Assert.Equal(4, stats.Matches);
        Assert.Equal(2, stats.CacheHits);
        Assert.Equal(2, stats.MaxFanout);
        Assert.Equal(1.0, stats.AverageFanout, 6);
    }

    [Fact]
    public void HasInterest_WildcardSubscription_ReportsInterest()
    {
        var index = new SubscriptionIndex();
        index.Insert(Make("foo.>"));

        Assert.True(index.HasInterest(B("foo.bar")));
        Assert.False(index.HasInterest(B("foo")));
    }
}
