using Modular.Testing;

namespace Modular.Cluster.Tests.Mesh;

/// <summary>Full-mesh formation and the route counts /routez and /varz report (protocol.md §4, §8.2, §8.3).</summary>
public sealed class MeshFormationTests
{
    [Fact]
    public async Task Mesh_ThreeNodes_EachSeesTwoDistinctPeers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "m3-" }, timeout.Token);

        await AssertEveryNodeSeesEveryOtherAsync(cluster, timeout.Token);
    }

    [Fact]
    public async Task Mesh_FiveNodes_EachSeesFourDistinctPeers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 5, NamePrefix = "m5-" }, timeout.Token);

        await AssertEveryNodeSeesEveryOtherAsync(cluster, timeout.Token);
    }

    [Fact]
    public async Task Mesh_ThreeNodesDefaultPool_FourConnectionsPerPeerOnePinnedSys()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "mp-" }, timeout.Token);

        await cluster.WaitConnectionCountsAsync(4, cancellationToken: timeout.Token);
        foreach (var node in cluster.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token);
            Assert.True(routez.NumRoutes == 8, $"num_routes should be 2 peers x (3 pooled + $SYS) = 8: {routez.Json}");
            foreach (var remote in routez.RemoteIds)
            {
                var accounts = routez.To(remote).Select(r => r.Account).ToList();
                Assert.True(
                    accounts.Count(a => a == "$SYS") == 1 && accounts.Count(a => a is null) == 3,
                    $"{node.Name}: to {remote} expected 3 pooled routes (no account) and 1 pinned \"$SYS\" route, got accounts [{string.Join(", ", accounts.Select(a => a ?? "-"))}]: {routez.Summary()}");
            }

            using var varz = await MonitorEndpoints.GetJsonAsync(node, "/varz", timeout.Token);
            Assert.True(MonitorEndpoints.Long(varz.RootElement, "routes") == 8, $"{node.Name} /varz routes should count every route connection (8): {varz.RootElement.GetRawText()}");
            Assert.True(MonitorEndpoints.Long(varz.RootElement, "remotes") == 2, $"{node.Name} /varz remotes should count distinct servers (2): {varz.RootElement.GetRawText()}");
        }
    }

    [Fact]
    public async Task Mesh_ThreeNodesPoolDisabled_OneConnectionPerPeer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "mnp-", PoolSize = -1 }, timeout.Token);

        await cluster.WaitConnectionCountsAsync(1, cancellationToken: timeout.Token);
        foreach (var node in cluster.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token);
            Assert.True(routez.Routes.All(r => r.Account is null), $"{node.Name}: no pinned account routes without pooling: {routez.Summary()}");
            using var varz = await MonitorEndpoints.GetJsonAsync(node, "/varz", timeout.Token);
            Assert.True(MonitorEndpoints.Long(varz.RootElement, "routes") == 2, $"{node.Name} /varz routes: {varz.RootElement.GetRawText()}");
            Assert.True(MonitorEndpoints.Long(varz.RootElement, "remotes") == 2, $"{node.Name} /varz remotes: {varz.RootElement.GetRawText()}");
        }
    }

    [Fact]
    public async Task Mesh_SeedTopology_EveryNodeRoutesToTheSeed()
    {
        // Without gossip only the seed links are configured; each non-seed node must at least route to the seed.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartAsync(new ClusterSpec { Size = 3, NamePrefix = "seed-", Topology = RouteTopology.SeedOnly }, timeout.Token);
        var seedId = await MonitorEndpoints.ServerIdAsync(cluster[0], timeout.Token);

        try
        {
            await Modular.Testing.Wait.Until(
                async () =>
                {
                    var seed = await MonitorEndpoints.RoutezAsync(cluster[0], cancellationToken: timeout.Token);
                    if (seed.RemoteIds.Count != 2)
                    {
                        return false;
                    }

                    foreach (var node in cluster.Nodes.Skip(1))
                    {
                        if (!(await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token)).RemoteIds.Contains(seedId))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TestCluster.FormTimeout,
                "every node routed to the seed");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(ex.Message + "\n" + await cluster.DescribeAsync(timeout.Token));
        }

        var routes = await MonitorEndpoints.RoutezAsync(cluster[1], cancellationToken: timeout.Token);
        Assert.True(routes.To(seedId).All(r => r.DidSolicit && r.IsConfigured), $"n2 dialed the seed from its config: {routes.Summary()}");
    }

    private static async Task AssertEveryNodeSeesEveryOtherAsync(TestCluster cluster, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, string>();
        foreach (var node in cluster.Nodes)
        {
            ids[node.Name] = await MonitorEndpoints.ServerIdAsync(node, cancellationToken);
        }

        Assert.Equal(cluster.Count, ids.Values.Distinct().Count());
        foreach (var node in cluster.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken);
            var expectedIds = cluster.Nodes.Where(n => n != node).Select(n => ids[n.Name]).OrderBy(x => x, StringComparer.Ordinal);
            Assert.True(
                expectedIds.SequenceEqual(routez.RemoteIds.OrderBy(x => x, StringComparer.Ordinal)),
                $"{node.Name} should route to exactly the {cluster.Count - 1} other servers: {routez.Summary()}");
            var expectedNames = cluster.Nodes.Where(n => n != node).Select(n => n.Name).OrderBy(x => x, StringComparer.Ordinal);
            var names = routez.Routes.Select(r => r.RemoteName).Distinct().OrderBy(x => x, StringComparer.Ordinal);
            Assert.True(expectedNames.SequenceEqual(names), $"{node.Name} remote_name values: {routez.Summary()}");
            Assert.True(routez.Routes.All(r => r.Ip == "127.0.0.1" && r.Port > 0), $"{node.Name} ip/port of every route: {routez.Summary()}");
            Assert.Equal(ids[node.Name], routez.ServerId);
        }
    }
}
