using BenchmarkDotNet.Attributes;
using Modular.Benchmarks.Workloads;

namespace Modular.Benchmarks;

/// <summary>RouteProtocolParser.TryParse: one operation per call. The workload is shared with the allocation test.</summary>
[MemoryDiagnoser]
public class RouteParserBenchmarks
{
    private readonly RouteParserWorkload _workload = new();

    [Benchmark]
    public int Rmsg() => _workload.Rmsg();

    [Benchmark]
    public int RmsgWithReply() => _workload.RmsgWithReply();

    [Benchmark]
    public int RmsgWithQueues() => _workload.RmsgWithQueues();

    [Benchmark]
    public int RmsgPinnedAccount() => _workload.RmsgPinnedAccount();

    [Benchmark]
    public int RsPlus() => _workload.RsPlus();

    [Benchmark]
    public int RsPlusQueue() => _workload.RsPlusQueue();
}
