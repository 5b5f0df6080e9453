using Modular.Testing;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// Leaf topologies beyond a pair: a triangle of leaf connections is a loop, detected with the
/// loop-detection subject ($LDS.) and refused with nats-server's -ERR; a leaf whose hub server goes
/// away fails over to another server of the hub cluster (configured, or learned from leafnode_urls).
/// </summary>
public sealed class LeafTopologyTests
{
    private static NodeProgram Program(string name) => name == "nats-2.10" ? NodeProgram.NatsServer210 : NodeProgram.Modular;

    [Theory]
    [InlineData("modular,modular,modular")]
    [InlineData("modular,nats-2.10,modular")]
    public async Task Triangle_EachDialsTheNext_LoopDetectedAndReported(string programs)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var names = programs.Split(',');
        var ports = names.Select(_ => FreePort.Next()).ToArray();
        await using var nodes = new TestCluster();
        var started = new List<Node>();
        for (var i = 0; i < 3; i++)
        {
            var spec = new ConfigBuilder { Name = $"t{i + 1}", ClusterName = $"t{i + 1}" }
                .LeafListen(ports[i])
                .LeafRemote(null, ConfigBuilder.LeafUrl(ports[(i + 1) % 3]));
            started.Add(await nodes.AddAsync(Program(names[i]), spec, cancellationToken: ct));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!started.Any(n => n.Output.Contains("Loop detected")))
        {
            Assert.True(DateTime.UtcNow < deadline, "no server reported a loop in 30 s:\n" + string.Join("\n", started.Select(n => n.Name + ": " + n.Output.Tail(10))));
            await Task.Delay(100, ct);
        }
    }

    [Fact]
    public async Task ModularLeaf_HubServerKilled_FailsOverToTheOtherConfiguredHubServer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await AssertFailoverAsync(NodeProgram.Modular, configureBoth: true, ct);
    }

    [Fact]
    public async Task ModularLeaf_NatsServerHubServerKilled_FailsOverToTheServerLearnedFromLeafnodeUrls()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await AssertFailoverAsync(NodeProgram.NatsServer210, configureBoth: false, ct);
    }

    [Fact]
    public async Task ModularLeaf_ModularHubServerKilled_FailsOverToTheServerLearnedFromLeafnodeUrls()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await AssertFailoverAsync(NodeProgram.Modular, configureBoth: false, ct);
    }

    [Theory]
    [InlineData("modular")]
    [InlineData("nats-2.10")]
    public async Task Leaf_ModularHubServerKilled_FailsOverToAServerThatJoinedTheHubClusterLater(string leafProgram)
    {
        // The leaf knows h1 only; h2 joins h1's cluster after the leaf connected. h2's route INFO names its
        // leaf URL, and h1 tells its leaf nodes (INFO leafnode_urls): the leaf fails over to h2.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var leafPorts = new[] { FreePort.Next(), FreePort.Next() };
        await using var nodes = new TestCluster();
        var h1 = await nodes.AddAsync(NodeProgram.Modular, new ConfigBuilder { Name = "h1" }.Cluster("hub").LeafListen(leafPorts[0]), NodeBackend.Process, ct);
        var leaf = await nodes.AddAsync(Program(leafProgram), new ConfigBuilder { Name = "leaf", ClusterName = null }.LeafRemote(null, ConfigBuilder.LeafUrl(leafPorts[0])), cancellationToken: ct);
        await using (var onH1 = await Clients.ConnectAsync(h1, ct))
        {
            await using var onLeaf = await Clients.ConnectAsync(leaf, ct);
            await Propagation.AwaitInterestAsync(onH1, onLeaf, ct, TimeSpan.FromSeconds(30));
        }

        var h2 = await nodes.AddAsync(NodeProgram.Modular, new ConfigBuilder { Name = "h2" }.Cluster("hub").Route(h1.RouteUrl).LeafListen(leafPorts[1]), cancellationToken: ct);
        await TestCluster.WaitMeshAsync([h1, h2], TestCluster.FormTimeout, ct);
        // h1 announces the new URL on its timer (once a second).
        var learned = $"127.0.0.1:{leafPorts[1]}";
        await Wait.Until(() => h1.Output.Contains($"Leafnode URLs now [127.0.0.1:{leafPorts[0]}, {learned}]; sent INFO to 1 leaf node(s)"), TimeSpan.FromSeconds(20), "h1 tells its leaf of h2's leaf URL");
        await h1.KillAsync();
        await using var onH2 = await Clients.ConnectAsync(h2, ct);
        await using var leafClient = await Clients.ConnectAsync(leaf, ct);
        var subject = "leaf.learned." + Guid.NewGuid().ToString("N");
        await using var sub = await leafClient.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onH2, leafClient, ct, TimeSpan.FromSeconds(40));
        await onH2.PublishAsync(subject, 5, cancellationToken: ct);
        await Propagation.BarrierAsync(onH2, leafClient, ct);
        Assert.Equal([5], Clients.Drain(sub).Select(m => m.Data));
    }

    private static async Task AssertFailoverAsync(NodeProgram hubProgram, bool configureBoth, CancellationToken ct)
    {
        var leafPorts = new[] { FreePort.Next(), FreePort.Next() };
        await using var nodes = new TestCluster();
        var h1 = await nodes.AddAsync(hubProgram, new ConfigBuilder { Name = "h1" }.Cluster("hub").LeafListen(leafPorts[0]), NodeBackend.Process, ct);
        var h2 = await nodes.AddAsync(hubProgram, new ConfigBuilder { Name = "h2" }.Cluster("hub").Route(h1.RouteUrl).LeafListen(leafPorts[1]), cancellationToken: ct);
        await TestCluster.WaitMeshAsync([h1, h2], TestCluster.FormTimeout, ct);
        var urls = configureBoth ? leafPorts.Select(p => ConfigBuilder.LeafUrl(p)).ToArray() : [ConfigBuilder.LeafUrl(leafPorts[0])];
        var leaf = await nodes.AddAsync(NodeProgram.Modular, new ConfigBuilder { Name = "leaf", ClusterName = null }.LeafRemote(null, urls), cancellationToken: ct);

        await using (var onH1 = await Clients.ConnectAsync(h1, ct))
        {
            await using var onLeaf = await Clients.ConnectAsync(leaf, ct);
            await Propagation.AwaitInterestAsync(onH1, onLeaf, ct, TimeSpan.FromSeconds(30));
        }

        // The leaf dialed h1 first (its first URL); h1 goes away.
        await h1.KillAsync();
        await using var onH2 = await Clients.ConnectAsync(h2, ct);
        await using var leafClient = await Clients.ConnectAsync(leaf, ct);
        var subject = "leaf.failover." + Guid.NewGuid().ToString("N");
        await using var sub = await leafClient.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onH2, leafClient, ct, TimeSpan.FromSeconds(40));
        await onH2.PublishAsync(subject, 5, cancellationToken: ct);
        await Propagation.BarrierAsync(onH2, leafClient, ct);
        Assert.Equal([5], Clients.Drain(sub).Select(m => m.Data));
    }
}
