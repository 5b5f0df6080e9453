using System.Diagnostics;
using Modular.Faults.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Faults.Tests;

/// <summary>
/// Nine servers that each know only one seed form a full mesh by gossip; the seed is killed with
/// SIGKILL (the other eight stay a full mesh) and started again on its ports, and the mesh of nine is
/// whole again, with a message from the seed reaching every other node. Variants: all modular (gossip
/// plugin), modular mixed with nats-server 2.10, all nats-server 2.10 (the reference).
/// </summary>
public sealed class GossipSeedTests(ITestOutputHelper output)
{
    private const int Size = 9;
    private static readonly TimeSpan MeshTimeout = TimeSpan.FromSeconds(45);

    public static TheoryData<string> Variants => new() { "modular", "mixed", "nats-server-2.10" };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task NineFromOneSeed_SeedKilledAndRestarted_MeshWholeAgain(string variant)
    {
        var figures = new Figures(output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        NodeProgram ProgramOf(int i) => variant switch
        {
            "modular" => NodeProgram.Modular,
            "nats-server-2.10" => NodeProgram.NatsServer210,
            _ => i % 2 == 1 ? NodeProgram.NatsServer210 : NodeProgram.Modular, // the seed is modular
        };
        ConfigBuilder Spec(int i) => ProgramOf(i).Flavor == NodeFlavor.Modular
            ? new ConfigBuilder { Name = $"gs{i + 1}" }.WithGossip()
            : new ConfigBuilder { Name = $"gs{i + 1}" };

        await using var group = new TestCluster();
        var seed = await group.AddAsync(ProgramOf(0), Spec(0), NodeBackend.Process, ct);
        var clock = Stopwatch.StartNew();
        await group.AddAsync(Enumerable.Range(1, Size - 1).Select(i => (ProgramOf(i), Spec(i).Route(seed.RouteUrl))), NodeBackend.InProcess, ct);
        var started = clock.Elapsed;
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        var formed = clock.Elapsed;

        var seedId = await MonitorEndpoints.ServerIdAsync(seed, ct);
        var others = group.Nodes.Skip(1).ToList();
        await seed.KillAsync();
        clock.Restart();
        await Wait.Until(
            async () =>
            {
                foreach (var node in others)
                {
                    if ((await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct)).RemoteIds.Contains(seedId))
                    {
                        return false;
                    }
                }

                return true;
            },
            MeshTimeout,
            "every survivor to drop the killed seed");
        await group.WaitFormedAsync(others, MeshTimeout, ct);
        var seedGone = clock.Elapsed;

        clock.Restart();
        await seed.RestartAsync(ct);
        var seedReady = clock.Elapsed;
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        var whole = clock.Elapsed;
        figures.Report("gossip-seed", $"{variant}: {Size} nodes from one seed: started {started.TotalSeconds:0.00}s, full mesh {formed.TotalSeconds:0.00}s after the first start; "
            + $"seed killed: dropped by all and 8 still a mesh {seedGone.TotalSeconds:0.00}s; seed restarted: ready {seedReady.TotalSeconds:0.00}s, mesh of {Size} whole {whole.TotalSeconds:0.00}s");

        // The restarted seed routes to every node: its message reaches a subscriber on each.
        var subject = "gossip.seed." + Guid.NewGuid().ToString("N");
        await using var publisher = await Clients.ConnectAsync(seed, ct);
        foreach (var node in others)
        {
            await using var subscriber = await Clients.ConnectAsync(node, ct);
            await using var subscription = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
            await Propagation.AwaitInterestAsync(publisher, subscriber, ct);
            await publisher.PublishAsync(subject, node.Name, cancellationToken: ct);
            await Propagation.BarrierAsync(publisher, subscriber, ct);
            Assert.Equal([node.Name], Clients.Drain(subscription).Select(m => m.Data));
        }
    }
}
