using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Operations;

/// <summary>
/// <c>modular cluster check</c> given one monitoring URL: it finds the other servers through the
/// <c>monitor_url</c> each Modular server gives its peers (route INFO, shown in /routez).
/// </summary>
public sealed class ClusterCheckCrawlTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task OneUrl_HealthyMesh_FindsAndListsAllThree_Passes()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "cw" }, timeout.Token);
        await using var c2 = await Clients.ConnectAsync(cluster[1], timeout.Token);
        await using var c3 = await Clients.ConnectAsync(cluster[2], timeout.Token);
        await using var s2 = await c2.SubscribeCoreAsync<string>("crawl.two", cancellationToken: timeout.Token);
        await using var s3 = await c3.SubscribeCoreAsync<string>("crawl.three.>", queueGroup: "q", cancellationToken: timeout.Token);
        await c2.PingAsync(timeout.Token);
        await c3.PingAsync(timeout.Token);

        // What the crawl follows: each route of cw1 names the peer's monitoring URL.
        using (var routez = await MonitorEndpoints.GetJsonAsync(cluster[0], "/routez", timeout.Token))
        {
            var byPeer = routez.RootElement.GetProperty("routes").EnumerateArray()
                .GroupBy(r => r.GetProperty("remote_name").GetString()!)
                .ToDictionary(g => g.Key, g => g.Select(r => r.TryGetProperty("monitor_url", out var url) ? url.GetString() : null).Distinct().ToList());
            Assert.Equal(cluster[1].MonitorUrl, Assert.Single(byPeer["cw2"]));
            Assert.Equal(cluster[2].MonitorUrl, Assert.Single(byPeer["cw3"]));
        }

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(90), "cluster", "check", "--timeout", "20s", "--monitor", cluster[0].MonitorUrl);

        Assert.True(result.ExitCode == 0, result + await cluster.DescribeAsync(timeout.Token));
        AssertOutput(result, "server cw1 (");
        Assert.Matches($@"server cw2 \(\w+\) at {cluster[1].MonitorUrl}: 2 peer\(s\), \d+ route connection\(s\), found via cw1", result.StdOut);
        Assert.Matches($@"server cw3 \(\w+\) at {cluster[2].MonitorUrl}: 2 peer\(s\), \d+ route connection\(s\), found via cw1", result.StdOut);
        Assert.Matches(@"cluster c1: 3 servers, full mesh \(6 peer links\), \d+ local subscriptions all propagated: OK", result.StdOut);
        AssertOutput(result, "problem:", present: false);
        AssertOutput(result, "warning:", present: false);
    }

    [Fact]
    public async Task OneUrl_RouteBlockedBetweenTheOtherTwo_IsReported()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        // bk1 dials bk2 and bk3; bk2 and bk3 dial only bk1 (PlanFullMesh lists the other ports in node
        // order, so bk1's port comes first): the bk2-bk3 route is missing, as behind a firewall.
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec
            {
                Size = 3,
                NamePrefix = "bk",
                AdjustNode = (i, node) => i == 0 ? node : node with { Routes = node.Routes.Take(1).ToList() },
            },
            timeout.Token);
        var ids = await TestCluster.ServerIdsAsync(cluster.Nodes, timeout.Token);
        await Wait.Until(
            async () => (await MonitorEndpoints.RoutezAsync(cluster[0], cancellationToken: timeout.Token)).RemoteIds.SetEquals([ids[cluster[1]], ids[cluster[2]]]),
            TestCluster.FormTimeout,
            "bk1 routed to bk2 and bk3");

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(90), "cluster", "check", "--timeout", "20s", "--once", "--monitor", cluster[0].MonitorUrl);

        Assert.True(result.ExitCode == 1, result.ToString());
        AssertOutput(result, $"problem: bk2 ({cluster[1].MonitorUrl}): routes to 1 of the 2 other servers; missing: bk3");
        AssertOutput(result, $"problem: bk3 ({cluster[2].MonitorUrl}): routes to 1 of the 2 other servers; missing: bk2");
        AssertOutput(result, "problem: bk1", present: false);
        AssertOutput(result, "cluster c1: 3 of 3 servers read, 2 problem(s)");
    }

    [Fact]
    public async Task ServerWithAnotherClusterName_CaughtFromItsOwnUrl_AndCrawledFromTwo()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 3, NamePrefix = "cx", AdjustNode = (i, node) => i == 2 ? node with { ClusterName = "other" } : node },
            timeout.Token);
        await cluster.WaitFormedAsync([cluster[0], cluster[1]], cancellationToken: timeout.Token);

        // Its routes are refused, so no other server's /routez shows it: from its own URL it is alone.
        var alone = await ModularCli.RunAsync(TimeSpan.FromSeconds(90), "cluster", "check", "--timeout", "20s", "--once", "--monitor", cluster[2].MonitorUrl);
        Assert.True(alone.ExitCode == 1, alone.ToString());
        AssertOutput(alone, $"problem: cx3 ({cluster[2].MonitorUrl}): no routes, so it is alone in cluster \"other\"");

        // With cx1 and cx3 given, cx2 is found through cx1 and the mismatch is named.
        var both = await ModularCli.RunAsync(TimeSpan.FromSeconds(90), "cluster", "check", "--timeout", "20s", "--once", "--monitor", cluster[0].MonitorUrl, cluster[2].MonitorUrl);
        Assert.True(both.ExitCode == 1, both.ToString());
        AssertOutput(both, "found via cx1");
        AssertOutput(both, $"problem: cx3 ({cluster[2].MonitorUrl}): cluster name \"other\" differs from \"c1\" of cx1, cx2");
        AssertOutput(both, $"problem: cx2 ({cluster[1].MonitorUrl}): routes to 1 of the 2 other servers; missing: cx3");
    }

    /// <summary>Checks a line of the output and shows all of it when the check fails.</summary>
    private static void AssertOutput(ModularCli.Result result, string text, bool present = true) =>
        Assert.True(result.StdOut.Contains(text, StringComparison.Ordinal) == present, $"expected the output {(present ? "to contain" : "not to contain")} \"{text}\"\n{result}");
}
