using System.Text;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Benchmarks.Workloads;

/// <summary>
/// Subject matching in an account's <see cref="SubscriptionIndex"/> holding 1,000 literal
/// subscriptions plus wildcards and queue groups: a literal subject and a subject only wildcards
/// match (both cache hits, the publish path's steady state), a subject nobody listens to (cached
/// empty result), and the same literal match in an index without a cache (every call walks the
/// trie and builds the result, which is what a cache miss costs). Shared by the benchmarks and the
/// allocation test.
/// </summary>
public sealed class SubjectMatchWorkload
{
    private readonly SubscriptionIndex _index = new();
    private readonly SubscriptionIndex _uncached = new(maxCacheEntries: 0);
    private readonly byte[] _literal = Encoding.ASCII.GetBytes("orders.eu.500");
    private readonly byte[] _wildcardOnly = Encoding.ASCII.GetBytes("metrics.host7.cpu");
    private readonly byte[] _nobody = Encoding.ASCII.GetBytes("nobody.listens.here");

    public SubjectMatchWorkload()
    {
        var owner = new Owner();
        var sid = 0;
        foreach (var index in new[] { _index, _uncached })
        {
            for (var i = 0; i < 1000; i++)
            {
                index.Insert(Make(owner, $"orders.eu.{i}", null, ref sid));
            }

            index.Insert(Make(owner, "orders.*.500", null, ref sid));
            index.Insert(Make(owner, "orders.>", "workers", ref sid));
            index.Insert(Make(owner, "orders.>", "workers", ref sid));
            index.Insert(Make(owner, "metrics.*.cpu", null, ref sid));
            index.Insert(Make(owner, "metrics.>", null, ref sid));
        }

        // Fill the cache once, as the first publish of each subject does.
        LiteralCacheHit();
        WildcardCacheHit();
        NoInterestCacheHit();
    }

    public int LiteralCacheHit() => _index.Match(_literal).Count;

    public int WildcardCacheHit() => _index.Match(_wildcardOnly).Count;

    /// <summary>1 when, as expected, nobody listens (what a publish to an unwatched subject asks).</summary>
    public int NoInterestCacheHit() => _index.HasInterest(_nobody) ? 0 : 1;

    public int LiteralCacheMiss() => _uncached.Match(_literal).Count;

    private static Subscription Make(ISubscriber owner, string subject, string? queue, ref int sid) =>
        new(
            owner,
            Encoding.ASCII.GetBytes(subject),
            queue is null ? null : Encoding.ASCII.GetBytes(queue),
            Encoding.ASCII.GetBytes((++sid).ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private sealed class Owner : ISubscriber
    {
        public ulong Id => 1;

        // The index only stores owners; nothing is delivered here.
        public bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch) => false;
    }
}
