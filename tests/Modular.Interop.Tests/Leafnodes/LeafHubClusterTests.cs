using Modular.Testing;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// A leaf node attached to one server of a two-server hub cluster: its interest reaches a
/// subscriber's server over the route (as LS+ with the leaf's origin cluster when the leaf is in a
/// cluster, both ways between Modular and nats-server, which say lnoc), and messages flow both ways.
/// </summary>
public sealed class LeafHubClusterTests
{
    private static NodeProgram Program(string name) => name switch
    {
        "nats-2.10" => NodeProgram.NatsServer210,
        "nats-2.9" => NodeProgram.NatsServer29,
        _ => NodeProgram.Modular,
    };

    [Theory]
    [InlineData("modular,modular", "nats-2.10")]
    [InlineData("modular,modular", "modular")]
    [InlineData("modular,nats-2.10", "nats-2.10")]
    [InlineData("modular,nats-2.10", "modular")]
    [InlineData("nats-2.10,modular", "modular")]
    [InlineData("nats-2.10,modular", "nats-2.10")]
    [InlineData("modular,nats-2.10", "modular", "edge")]
    [InlineData("modular,nats-2.10", "nats-2.10", "edge")]
    [InlineData("modular,modular", "nats-2.10", "edge")]
    [InlineData("nats-2.10,modular", "modular", "edge")]
    public async Task LeafOnFirstHubServer_TrafficWithSecondHubServer_CrossesLeafAndRoute(string hubs, string leaf, string? leafCluster = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var programs = hubs.Split(',').Select(Program).ToArray();
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var first = await nodes.AddAsync(programs[0], LeafPair.HubConfig(leafPort).Named("h1").Cluster("hub"), cancellationToken: ct);
        var second = await nodes.AddAsync(programs[1], LeafPair.WithAccounts(new ConfigBuilder { Name = "h2" }).Cluster("hub").Route(first.RouteUrl), cancellationToken: ct);
        await TestCluster.WaitMeshAsync([first, second], TestCluster.FormTimeout, ct);
        // A leaf in a cluster of its own: the first hub server announces its interest to route peers as LS+ with that origin.
        var leafNode = await nodes.AddAsync(Program(leaf), LeafPair.LeafConfig(leafPort) with { ClusterName = leafCluster }, cancellationToken: ct);

        await using var onSecond = await Clients.ConnectAsync(second, ct, "a", LeafPair.Password);
        await using var onLeaf = await Clients.ConnectAsync(leafNode, ct, "a", LeafPair.Password);
        foreach (var (from, to, name) in new[] { (onSecond, onLeaf, "h2→leaf"), (onLeaf, onSecond, "leaf→h2") })
        {
            var subject = "leaf.route." + Guid.NewGuid().ToString("N");
            await using var sub = await to.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
            await Propagation.AwaitInterestAsync(from, to, ct, TimeSpan.FromSeconds(40));
            for (var i = 0; i < 10; i++)
            {
                await from.PublishAsync(subject, i, cancellationToken: ct);
            }

            await Propagation.BarrierAsync(from, to, ct);
            var got = Clients.Drain(sub).Select(m => m.Data).ToList();
            Assert.True(got.SequenceEqual(Enumerable.Range(0, 10)), $"{name}: got [{string.Join(",", got)}]");
        }

        // A request from the far hub server to a service on the leaf, and back.
        var service = "leaf.route.svc." + Guid.NewGuid().ToString("N");
        await using var responder = await onLeaf.SubscribeCoreAsync<int>(service, cancellationToken: ct);
        var serving = Task.Run(async () =>
        {
            await foreach (var request in responder.Msgs.ReadAllAsync(ct))
            {
                await request.ReplyAsync(request.Data + 1, cancellationToken: ct);
            }
        }, ct);
        await Propagation.AwaitInterestAsync(onSecond, onLeaf, ct, TimeSpan.FromSeconds(40));
        var reply = await onSecond.RequestAsync<int, int>(service, 41, cancellationToken: ct);
        Assert.Equal(42, reply.Data);
    }
}
