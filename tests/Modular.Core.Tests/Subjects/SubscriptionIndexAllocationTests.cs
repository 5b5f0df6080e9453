using Modular.Core.Subjects;
using static Modular.Core.Tests.Subjects.Subs;

namespace Modular.Core.Tests.Subjects;

public class SubscriptionIndexAllocationTests
{
    [Fact]
    public void Match_CacheHit_AllocatesNothing()
    {
        var index = new SubscriptionIndex();
        index.Insert(Make("orders.eu.new"));
        index.Insert(Make("orders.*.new"));
        index.Insert(Make("orders.>", "workers"));
        index.Insert(Make(">", "audit"));
        byte[] subject = B("orders.eu.new");

        // Warm: the first call misses and fills the cache; the rest get the hit path compiled.
        for (int i = 0; i < 1000; i++)
        {
            Hit(index, subject);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            total += Hit(index, subject);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(40_000, total);
    }

    [Fact]
    public void Match_CacheHitOnEmptyResult_AllocatesNothing()
    {
        var index = new SubscriptionIndex();
        index.Insert(Make("other.subject"));
        byte[] subject = B("nobody.listens.here");
        for (int i = 0; i < 1000; i++)
        {
            index.HasInterest(subject);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            index.HasInterest(subject);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static int Hit(SubscriptionIndex index, byte[] subject) => index.Match(subject).Count;
}
