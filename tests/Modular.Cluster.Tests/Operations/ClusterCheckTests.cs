using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Operations;

/// <summary><c>modular cluster check</c> against healthy and deliberately broken clusters.</summary>
public sealed class ClusterCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task HealthyMesh_WithSubscriptions_Passes()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "ok" }, timeout.Token);
        await using var c1 = await Clients.ConnectAsync(cluster[0], timeout.Token);
        await using var c2 = await Clients.ConnectAsync(cluster[1], timeout.Token);
        await using var s1 = await c1.SubscribeCoreAsync<string>("check.one", cancellationToken: timeout.Token);
        await using var s2 = await c2.SubscribeCoreAsync<string>("check.two.>", queueGroup: "workers", cancellationToken: timeout.Token);
        await c1.PingAsync(timeout.Token);
        await c2.PingAsync(timeout.Token);

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), ["cluster", "check", "--monitor", .. cluster.Nodes.Select(n => n.MonitorUrl)]);

        Assert.True(result.ExitCode == 0, result + await cluster.DescribeAsync(timeout.Token));
        Assert.Matches(@"cluster c1: 3 servers, full mesh \(6 peer links\), \d+ local subscriptions all propagated: OK", result.StdOut);
        Assert.DoesNotContain("problem:", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerWithAnotherClusterName_IsReported()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 3, NamePrefix = "cn", AdjustNode = (i, node) => i == 2 ? node with { ClusterName = "other" } : node },
            timeout.Token);
        await cluster.WaitFormedAsync([cluster[0], cluster[1]], cancellationToken: timeout.Token);

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), ["cluster", "check", "--once", "--monitor", string.Join(",", cluster.Nodes.Select(n => n.MonitorUrl))]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"problem: cn3 ({cluster[2].MonitorUrl}): cluster name \"other\" differs from \"c1\" of cn1, cn2", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"problem: cn1 ({cluster[0].MonitorUrl}): routes to 1 of the 2 other servers; missing: cn3", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"problem: cn3 ({cluster[2].MonitorUrl}): routes to 0 of the 2 other servers; missing: cn1, cn2", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("problem(s)", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlockedRoute_MissingRoutesAreReported()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        // Nobody dials bl3 and bl3 dials nobody: bl3 is cut off from the mesh (as by a firewall).
        // PlanFullMesh lists the other nodes' ports in node order, so node 3's port is the last of the first two.
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec
            {
                Size = 3,
                NamePrefix = "bl",
                AdjustNode = (i, node) => node with { Routes = i == 2 ? [] : node.Routes.Take(node.Routes.Count - 1).ToList() },
            },
            timeout.Token);
        await cluster.WaitFormedAsync([cluster[0], cluster[1]], cancellationToken: timeout.Token);
        await using var c3 = await Clients.ConnectAsync(cluster[2], timeout.Token);
        await using var sub = await c3.SubscribeCoreAsync<string>("orders.created", cancellationToken: timeout.Token);
        await c3.PingAsync(timeout.Token);

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), ["cluster", "check", "--once", "--monitor", .. cluster.Nodes.Select(n => n.MonitorUrl)]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"problem: bl1 ({cluster[0].MonitorUrl}): routes to 1 of the 2 other servers; missing: bl3", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"problem: bl2 ({cluster[1].MonitorUrl}): routes to 1 of the 2 other servers; missing: bl3", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"problem: bl3 ({cluster[2].MonitorUrl}): routes to 0 of the 2 other servers; missing: bl1, bl2", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("cluster name", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServer_AndUsage()
    {
        var port = FreePort.Next();
        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--once", "--monitor", $"http://127.0.0.1:{port}");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"problem: http://127.0.0.1:{port}: cannot read monitoring", result.StdOut, StringComparison.Ordinal);

        var usage = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        Assert.Contains("no servers given", usage.StdErr, StringComparison.Ordinal);
    }
}
