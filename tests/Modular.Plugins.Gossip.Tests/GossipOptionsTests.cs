using Modular.Testing;
using Xunit.Abstractions;

namespace Modular.Plugins.Gossip.Tests;

/// <summary>
/// The gossip plugin's options (issue 6): DNS <c>seeds</c> (including a seed that is the server
/// itself: no route to self, nats-server #2577) and <c>cluster.advertise</c> (peers dial the
/// advertised address they were gossiped, nats-server #447).
/// </summary>
public sealed class GossipOptionsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MeshTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Seeds_DnsNameListedByEveryServerIncludingTheSeedItself_FullMeshNoRouteToSelf()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var ports = Enumerable.Range(0, 3).Select(_ => NodePorts.Allocate()).ToArray();
        var seed = $"localhost:{ports[0].Cluster}";

        // No routes at all: every server, gss1 included, only has the DNS seed naming gss1.
        var plan = Enumerable.Range(0, 3)
            .Select(i => new ConfigBuilder { Name = $"gss{i + 1}", Ports = ports[i] }.WithGossip("default", seed))
            .ToArray();
        await using var group = new TestCluster();
        await group.AddAsync(plan.Select(s => (NodeProgram.Modular, s)), cancellationToken: ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);

        foreach (var node in group.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            Assert.True(routez.Routes.All(r => r.RemoteId != routez.ServerId), $"{node.Name} routes to itself: {routez.Summary()}");
        }

        // The seed's name is not what peers pass on: gossip carries each server's own address.
        Assert.True(group.CountOutputLines("Discovered route nats-route://localhost") == 0, "a seed name was gossiped as a route\n" + await group.DescribeAsync(cancellationToken: ct));
        var seedRoutez = await MonitorEndpoints.RoutezAsync(group[1], cancellationToken: ct);
        var toSeed = seedRoutez.To(await MonitorEndpoints.ServerIdAsync(group[0], ct));
        Assert.True(toSeed.Any(r => r.DidSolicit && r.IsConfigured), $"gss2 should reach gss1 through the seed (a configured route): {seedRoutez.Summary()}");
        output.WriteLine(seedRoutez.Summary());
    }

    [Fact]
    public async Task Advertise_PeersDialTheGossipedAdvertisedAddress()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var plan = GossipSpecs.Plan(3, "gad", GossipSpecs.Star, (_, s) => GossipSpecs.Gossiping(s));
        await using var forwarder = new FaultProxy(plan[2].Ports!.Cluster);
        var advertise = GossipSpecs.Program.Flavor == NodeFlavor.Modular
            ? $"advertise = \"127.0.0.1:{forwarder.Port}\""
            : $"advertise: \"127.0.0.1:{forwarder.Port}\"";
        plan[2] = plan[2].WithClusterLine(advertise);

        // gad1 and gad2 first; then gad3, which advertises the forwarder's port instead of its own.
        await using var group = new TestCluster();
        await group.AddAsync(plan.Take(2).Select(s => (GossipSpecs.Program, s)), cancellationToken: ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        await group.AddAsync(GossipSpecs.Program, plan[2], cancellationToken: ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);

        // gad2 learned gad3 from gad1 and dialed what gad3 advertises.
        var routez = await MonitorEndpoints.RoutezAsync(group[1], cancellationToken: ct);
        var toThird = routez.To(await MonitorEndpoints.ServerIdAsync(group[2], ct));
        output.WriteLine($"forwarded connections: {forwarder.Connections}; {routez.Summary()}");
        Assert.True(forwarder.Connections > 0, $"nobody dialed gad3's advertised address 127.0.0.1:{forwarder.Port}: {routez.Summary()}");
        Assert.True(
            toThird.Count > 0 && toThird.All(r => r.DidSolicit && r.Port == forwarder.Port),
            $"gad2's routes to gad3 should be dialed to the advertised port {forwarder.Port}: {routez.Summary()}");
    }
}
