using BenchmarkDotNet.Attributes;
using Modular.Benchmarks.Workloads;

namespace Modular.Benchmarks;

/// <summary>SubscriptionIndex.Match in an index of 1,005 subscriptions. The workload is shared with the allocation test.</summary>
[MemoryDiagnoser]
public class SubjectMatchBenchmarks
{
    private readonly SubjectMatchWorkload _workload = new();

    [Benchmark]
    public int LiteralCacheHit() => _workload.LiteralCacheHit();

    [Benchmark]
    public int WildcardCacheHit() => _workload.WildcardCacheHit();

    [Benchmark]
    public int NoInterestCacheHit() => _workload.NoInterestCacheHit();

    [Benchmark]
    public int LiteralCacheMiss() => _workload.LiteralCacheMiss();
}
