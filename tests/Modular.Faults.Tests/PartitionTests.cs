using System.Diagnostics;
using Modular.Faults.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Faults.Tests;

/// <summary>
/// Partitions that close no socket, two ways: the route runs through a <see cref="FaultProxy"/>
/// that starts dropping every byte; or the two nodes run in network namespaces of their own (see
/// <see cref="NetworkNamespaces"/>) and each drops every packet from the other. Both ends must give
/// the route up within ping_interval × (ping_max + 1) (plus a second of slack); a subscription made
/// on either side during the partition reaches the other side once the partition heals, and the
/// messages published after the heal are delivered exactly once and in order.
/// </summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    /// <summary>ping_interval 1 s × (ping_max 2 + 1), and one second of slack.</summary>
    private static readonly TimeSpan PingBound = TimeSpan.FromSeconds(4);

    /// <summary>No end can notice a silent cut sooner: ping_max PINGs must go unanswered, ping_interval apart.</summary>
    private static readonly TimeSpan SilentAtLeast = TimeSpan.FromSeconds(1);

    private static readonly ConfigBuilder Config = new() { PingInterval = "1s", PingMax = 2 };

    [Theory]
    [MemberData(nameof(Programs.ModularAndReference), MemberType = typeof(Programs))]
    public async Task BlackholedRoute_BothEndsDropItWithinPingBound_InterestMadeMeanwhileSyncedAfterHeal(string programName)
    {
        var program = Programs.Named(programName);
        var backend = Programs.BackendFor(program, NodeBackend.InProcess);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var acceptor = await Node.StartAsync(Config.Named("part-a"), backend, program, cancellationToken: ct);
        await using var proxy = new FaultProxy(acceptor.ClusterPort!.Value);
        await using var dialer = await Node.StartAsync(Config.Named("part-d").Route(proxy.Port), backend, program, cancellationToken: ct);
        await PartitionAndHealAsync("partition-proxy", program, acceptor, dialer, proxy.Blackhole, proxy.Heal, ct);
    }

    /// <summary>
    /// The same between hosts: each node a process in a network namespace of its own, bound to that
    /// namespace's address, the route over veth links and a bridge; the partition drops packets in
    /// the kernel (iptables on both hosts), the test's clients and monitoring still reach both.
    /// </summary>
    [Theory]
    [MemberData(nameof(Programs.ModularAndReference), MemberType = typeof(Programs))]
    public async Task PartitionBetweenNetworkNamespaces_BothEndsDropRouteWithinPingBound_InterestMadeMeanwhileSyncedAfterHeal(string programName)
    {
        var program = Programs.Named(programName);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        using var network = NetworkNamespaces.Create(2);
        var (hostA, hostB) = (network.Hosts[0], network.Hosts[1]);
        await using var acceptor = await Node.StartAsync(hostA.Place(Config.Named("netns-a")), NodeBackend.Process, program, cancellationToken: ct);
        await using var dialer = await Node.StartAsync(hostB.Place(Config.Named("netns-d")).Route(hostA.RouteUrl(acceptor.ClusterPort!.Value)), NodeBackend.Process, program, cancellationToken: ct);
        await PartitionAndHealAsync("partition-netns", program, acceptor, dialer, () => network.Partition(hostA, hostB), () => network.Heal(hostA, hostB), ct);
    }

    /// <summary>
    /// The scenario on a routed pair: mesh, a subscription before; <paramref name="cut"/>, both ends
    /// drop the route within the bound; subscriptions on both sides; <paramref name="heal"/>, the
    /// route comes back, the interest is synced both ways, every message delivered once and in order.
    /// </summary>
    private async Task PartitionAndHealAsync(string scenario, NodeProgram program, Node acceptor, Node dialer, Action cut, Action heal, CancellationToken ct)
    {
        var figures = new Figures(output);
        await TestCluster.WaitMeshAsync([acceptor, dialer], TimeSpan.FromSeconds(20), ct);

        await using var onDialer = await Clients.ConnectAsync(dialer, ct);
        await using var onAcceptor = await Clients.ConnectAsync(acceptor, ct);
        var before = "part.before." + Guid.NewGuid().ToString("N");
        await using var beforeSub = await onAcceptor.SubscribeCoreAsync<int>(before, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onDialer, onAcceptor, ct);

        cut();
        var dialerGone = WaitNoRoutesAsync(dialer, ct);
        var acceptorGone = WaitNoRoutesAsync(acceptor, ct);
        var (dialerDropped, acceptorDropped) = (await dialerGone, await acceptorGone);
        figures.Report(scenario, $"{program.Label}: route dropped after the cut: dialer {dialerDropped.TotalSeconds:0.00}s, acceptor {acceptorDropped.TotalSeconds:0.00}s (bound {PingBound.TotalSeconds:0}s)");
        Assert.True(dialerDropped <= PingBound && acceptorDropped <= PingBound, $"dialer {dialerDropped}, acceptor {acceptorDropped}, bound {PingBound}");

        // Only unanswered PINGs can tell (two, a second apart): a drop within a second means the cut closed a socket.
        Assert.True(dialerDropped >= SilentAtLeast && acceptorDropped >= SilentAtLeast, $"dialer {dialerDropped}, acceptor {acceptorDropped}: dropped within {SilentAtLeast}, so the cut was not silent");

        // Interest made during the partition, on both sides.
        var during = "part.during." + Guid.NewGuid().ToString("N");
        await using var duringOnAcceptor = await onAcceptor.SubscribeCoreAsync<int>(during + ".a", cancellationToken: ct);
        await using var duringOnDialer = await onDialer.SubscribeCoreAsync<int>(during + ".d", cancellationToken: ct);
        await onAcceptor.PingAsync(ct);
        await onDialer.PingAsync(ct);

        var healing = Stopwatch.StartNew();
        heal();
        await TestCluster.WaitMeshAsync([acceptor, dialer], TimeSpan.FromSeconds(20), ct);
        var rejoined = healing.Elapsed;
        await Propagation.AwaitInterestAsync(onDialer, onAcceptor, ct);
        await Propagation.AwaitInterestAsync(onAcceptor, onDialer, ct);
        var synced = healing.Elapsed;
        figures.Report(scenario, $"{program.Label}: after the heal: routed again {rejoined.TotalSeconds:0.00}s, interest both ways {synced.TotalSeconds:0.00}s");

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
