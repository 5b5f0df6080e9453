using BenchmarkDotNet.Attributes;
using Modular.Benchmarks.Workloads;

namespace Modular.Benchmarks;

/// <summary>ClientProtocolParser.TryParse: one operation per call. The workload is shared with the allocation test.</summary>
[MemoryDiagnoser]
public class ClientParserBenchmarks
{
    private readonly ClientParserWorkload _workload = new();

    [Benchmark]
    public int Pub() => _workload.Pub();

    [Benchmark]
    public int PubWithReply() => _workload.PubWithReply();

    [Benchmark]
    public int HPub() => _workload.HPub();

    [Benchmark]
    public int Sub() => _workload.Sub();

    [Benchmark]
    public int SubQueue() => _workload.SubQueue();

    [Benchmark]
    public int PubAcrossSegments() => _workload.PubAcrossSegments();
}
