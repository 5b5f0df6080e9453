using System.Diagnostics;
using Modular.Faults.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Faults.Tests;

/// <summary>
/// A partition that closes no socket: the route runs through a <see cref="BlackholeProxy"/> that starts
/// dropping every byte. Both ends must give the route up within ping_interval × (ping_max + 1) (plus a
/// second of slack); a subscription made on one side during the partition reaches the other side once
/// the partition heals, and the messages published after the heal are delivered exactly once.
/// </summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    /// <summary>ping_interval 1 s × (ping_max 2 + 1), and one second of slack.</summary>
    private static readonly TimeSpan PingBound = TimeSpan.FromSeconds(4);

    [Theory]
    [MemberData(nameof(Programs.ModularAndReference), MemberType = typeof(Programs))]
    public async Task BlackholedRoute_BothEndsDropItWithinPingBound_InterestMadeMeanwhileSyncedAfterHeal(string programName)
    {
        var figures = new Figures(output);
        var program = Programs.Named(programName);
        var backend = Programs.BackendFor(program, NodeBackend.InProcess);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var config = new ConfigBuilder { PingInterval = "1s", PingMax = 2 };
        await using var acceptor = await Node.StartAsync(config.Named("part-a"), backend, program, cancellationToken: ct);
        await using var proxy = new BlackholeProxy(acceptor.ClusterPort!.Value);
        await using var dialer = await Node.StartAsync(config.Named("part-d").Route(proxy.Port), backend, program, cancellationToken: ct);
        await TestCluster.WaitMeshAsync([acceptor, dialer], TimeSpan.FromSeconds(20), ct);

        await using var onDialer = await Clients.ConnectAsync(dialer, ct);
        await using var onAcceptor = await Clients.ConnectAsync(acceptor, ct);
        var before = "part.before." + Guid.NewGuid().ToString("N");
        await using var beforeSub = await onAcceptor.SubscribeCoreAsync<int>(before, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onDialer, onAcceptor, ct);

        var clock = Stopwatch.StartNew();
        proxy.Blackhole();
        var dialerGone = WaitNoRoutesAsync(dialer, ct);
        var acceptorGone = WaitNoRoutesAsync(acceptor, ct);
        var (dialerDropped, acceptorDropped) = (await dialerGone, await acceptorGone);
        figures.Report("partition-proxy", $"{program.Label}: route dropped after the black hole: dialer {dialerDropped.TotalSeconds:0.00}s, acceptor {acceptorDropped.TotalSeconds:0.00}s (bound {PingBound.TotalSeconds:0}s)");
        Assert.True(dialerDropped <= PingBound && acceptorDropped <= PingBound, $"dialer {dialerDropped}, acceptor {acceptorDropped}, bound {PingBound}");

        // Interest made during the partition, on both sides.
        var during = "part.during." + Guid.NewGuid().ToString("N");
        await using var duringOnAcceptor = await onAcceptor.SubscribeCoreAsync<int>(during + ".a", cancellationToken: ct);
        await using var duringOnDialer = await onDialer.SubscribeCoreAsync<int>(during + ".d", cancellationToken: ct);
        await onAcceptor.PingAsync(ct);
        await onDialer.PingAsync(ct);

        var healing = Stopwatch.StartNew();
        proxy.Heal();
        await TestCluster.WaitMeshAsync([acceptor, dialer], TimeSpan.FromSeconds(20), ct);
        var rejoined = healing.Elapsed;
        await Propagation.AwaitInterestAsync(onDialer, onAcceptor, ct);
        await Propagation.AwaitInterestAsync(onAcceptor, onDialer, ct);
        var synced = healing.Elapsed;
        figures.Report("partition-proxy", $"{program.Label}: after the heal: routed again {rejoined.TotalSeconds:0.00}s, interest both ways {synced.TotalSeconds:0.00}s");

        const int Count = 200;
        for (var i = 1; i <= Count; i++)
        {
            await onDialer.PublishAsync(during + ".a", i, cancellationToken: ct);
            await onAcceptor.PublishAsync(during + ".d", i, cancellationToken: ct);
            await onDialer.PublishAsync(before, i, cancellationToken: ct);
        }

        await Propagation.BarrierAsync(onDialer, onAcceptor, ct);
        await Propagation.BarrierAsync(onAcceptor, onDialer, ct);
        Assert.Equal(Enumerable.Range(1, Count), Clients.Drain(duringOnAcceptor).Select(m => m.Data));
        Assert.Equal(Enumerable.Range(1, Count), Clients.Drain(duringOnDialer).Select(m => m.Data));
        Assert.Equal(Enumerable.Range(1, Count), Clients.Drain(beforeSub).Select(m => m.Data));
    }

    /// <summary>How long from now until <paramref name="node"/> lists no route (or throws after twice the bound).</summary>
    internal static async Task<TimeSpan> WaitNoRoutesAsync(IMonitoredNode node, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await Wait.Until(
            async () => (await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken)).Routes.Count == 0,
            PingBound * 2,
            $"{node.Name} to drop its routes");
        return clock.Elapsed;
    }
}
