using Modular.Benchmarks.Workloads;

namespace Modular.Core.Tests.Benchmarks;

/// <summary>
/// Holds the allocation budget of every operation bench/Modular.Benchmarks measures: the same
/// workload code (compiled in from bench/Modular.Benchmarks/Workloads) must allocate 0 bytes per
/// call once warm. The one exception is a subject-index cache miss, which by design builds a new
/// result (and would store it); it is held to a fixed number of bytes instead, so it cannot grow.
/// </summary>
public class BenchmarkedOperationAllocationTests
{
    private const int Calls = 10_000;

    /// <summary>
    /// A miss walks the trie and builds the match (the builder, its list and dictionary, the
    /// result's arrays and the result itself) for the 4 subscriptions the literal matches: 2 plain,
    /// and a queue group of 2. Measured at 600 bytes on .NET 10; lower it when a change saves some.
    /// </summary>
    private const long CacheMissBytesPerCall = 600;

    public static TheoryData<string> Operations() => new(HotPathOperations.Create().Keys);

    [Theory]
    [MemberData(nameof(Operations))]
    public void Operation_AfterWarmUp_AllocatesWithinItsBudget(string name)
    {
        var operation = HotPathOperations.Create()[name];
        var budget = name == "SubjectMatch.LiteralCacheMiss" ? CacheMissBytesPerCall * Calls : 0;

        // Tiered compilation promotes hot methods in the background, and only the optimised code
        // gets escape analysis (objects on the stack): measure until a pass is within budget, for at
        // most 10 s. A steady per-call allocation fails every pass.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long allocated;
        var checksum = 0L;
        do
        {
            for (var i = 0; i < Calls; i++)
            {
                checksum += operation();
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Calls; i++)
            {
                checksum += operation();
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        while (allocated > budget && DateTime.UtcNow < deadline);

        Assert.True(checksum > 0, "the operation did no work");
        Assert.True(
            allocated <= budget,
            $"{name} allocated {allocated} bytes in {Calls} calls ({(double)allocated / Calls:0.#} per call); budget {budget / Calls} per call");
    }
}
