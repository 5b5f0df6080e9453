using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// A leaf cluster ("edge": l1 and l2, routed) attached to Modular hub servers, l1 and l2 each by its
/// own leaf connection: to two servers of a hub cluster, or both to one. A message from l1 to a
/// subscriber on l2 crosses the edge cluster's route once; it must not also come round through the
/// hub (l1 → hub → l2), which would deliver it twice. The hub keeps the leaf origin as nats-server
/// does: interest of the edge cluster is not told back to it, and a message from the edge cluster
/// (from its leaf connection, or a route's LMSG naming it) is not sent back to it.
/// </summary>
public sealed class LeafOriginTests
{
    [Theory]
    [InlineData("modular", true)]
    [InlineData("modular", false)]
    [InlineData("nats-2.10", true)]
    [InlineData("nats-2.10", false)]
    public async Task LeafClusterOnHub_MessageBetweenItsServers_DeliveredOnce(string leafProgram, bool twoHubServers)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var leaves = leafProgram == "nats-2.10" ? NodeProgram.NatsServer210 : NodeProgram.Modular;
        var leafPorts = new[] { FreePort.Next(), FreePort.Next() };
        await using var nodes = new TestCluster();
        var h1 = await nodes.AddAsync(NodeProgram.Modular, LeafPair.HubConfig(leafPorts[0]).Named("h1").Cluster("hub"), cancellationToken: ct);
        var h2 = await nodes.AddAsync(NodeProgram.Modular, LeafPair.HubConfig(leafPorts[1]).Named("h2").Cluster("hub").Route(h1.RouteUrl), cancellationToken: ct);
        await TestCluster.WaitMeshAsync([h1, h2], TestCluster.FormTimeout, ct);
        var l2Hub = twoHubServers ? h2 : h1;
        var l1 = await nodes.AddAsync(leaves, LeafPair.LeafConfig(leafPorts[0]).Named("l1").Cluster("edge"), cancellationToken: ct);
        var l2 = await nodes.AddAsync(leaves, LeafPair.LeafConfig(leafPorts[twoHubServers ? 1 : 0]).Named("l2").Cluster("edge").Route(l1.RouteUrl), cancellationToken: ct);
        await TestCluster.WaitMeshAsync([l1, l2], TestCluster.FormTimeout, ct);

        await using var onL1 = await Clients.ConnectAsync(l1, ct, "a", LeafPair.Password);
        await using var onL2 = await Clients.ConnectAsync(l2, ct, "a", LeafPair.Password);
        await using var onL2Hub = await Clients.ConnectAsync(l2Hub, ct, "a", LeafPair.Password);

        // Both leaf connections are up: each leaf server reaches a hub subscriber.
        await Propagation.AwaitInterestAsync(onL1, onL2Hub, ct, TimeSpan.FromSeconds(40));
        await Propagation.AwaitInterestAsync(onL2, onL2Hub, ct, TimeSpan.FromSeconds(40));

        var subject = "leaf.origin." + Guid.NewGuid().ToString("N");
        await using var sub = await onL2.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onL1, onL2, ct, TimeSpan.FromSeconds(40));
        // Time for the interest to reach the hub and (without the origin) come back to l1 over its leaf connection.
        await Propagation.AwaitInterestAsync(onL2Hub, onL2, ct, TimeSpan.FromSeconds(40));
        await Propagation.BarrierAsync(onL2Hub, onL1, ct);

        const int count = 20;
        for (var i = 0; i < count; i++)
        {
            await onL1.PublishAsync(subject, i, cancellationToken: ct);
        }

        // A copy that went round through the hub is behind these: l1 → hub (→ route) → l2's hub server, then that server → l2.
        await Propagation.BarrierAsync(onL1, onL2Hub, ct);
        await Propagation.BarrierAsync(onL2Hub, onL2, ct);
        var got = Clients.Drain(sub).Select(m => m.Data).ToList();
        Assert.True(got.SequenceEqual(Enumerable.Range(0, count)), $"l1→l2 got [{string.Join(",", got)}]");
    }
}
