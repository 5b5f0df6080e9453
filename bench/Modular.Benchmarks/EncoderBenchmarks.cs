using BenchmarkDotNet.Attributes;
using Modular.Benchmarks.Workloads;

namespace Modular.Benchmarks;

/// <summary>MessageEncoder (MSG/HMSG) and RouteMessageEncoder (RMSG/HMSG): one frame per call. The workload is shared with the allocation test.</summary>
[MemoryDiagnoser]
public class EncoderBenchmarks
{
    private readonly EncoderWorkload _workload = new();

    [Benchmark]
    public int Msg16() => _workload.Msg16();

    [Benchmark]
    public int Msg1K() => _workload.Msg1K();

    [Benchmark]
    public int MsgWithReply() => _workload.MsgWithReply();

    [Benchmark]
    public int HMsg() => _workload.HMsg();

    [Benchmark]
    public int Rmsg16() => _workload.Rmsg16();

    [Benchmark]
    public int Rmsg1K() => _workload.Rmsg1K();

    [Benchmark]
    public int RmsgWithQueues() => _workload.RmsgWithQueues();

    [Benchmark]
    public int RouteHMsg() => _workload.RouteHMsg();
}
