using System.Diagnostics;
using Modular.Testing;

namespace Modular.Cluster.Tests.Mesh;

/// <summary>Servers with different static cluster names never route to each other (protocol.md §3.5).</summary>
public sealed class ClusterNameTests
{
    [Fact]
    public async Task ClusterName_Mismatch_NoRouteWhileMatchingNodesStillRoute()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        // n1 and n2 are in "c1"; n3 says "other". All three list each other.
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec
            {
                Size = 3,
                NamePrefix = "cn-",
                AdjustNode = (i, node) => i == 2 ? node with { ClusterName = "other" } : node,
            },
            timeout.Token);
        var odd = cluster[2];
        var oddId = await MonitorEndpoints.ServerIdAsync(odd, timeout.Token);

        await cluster.WaitFormedAsync([cluster[0], cluster[1]], cancellationToken: timeout.Token);

        // Watch for a while: the odd node never gets a route, and nobody routes to it.
        var violations = new List<string>();
        var clock = Stopwatch.StartNew();
        var sawRejection = false;
        while (clock.Elapsed < TimeSpan.FromSeconds(4) || (!sawRejection && clock.Elapsed < TimeSpan.FromSeconds(10)))
        {
            var oddRoutes = await MonitorEndpoints.RoutezAsync(odd, cancellationToken: timeout.Token);
            if (oddRoutes.NumRoutes != 0 || oddRoutes.Routes.Count != 0)
            {
                violations.Add($"at {clock.Elapsed.TotalSeconds:0.0}s {oddRoutes.Summary()}");
            }

            foreach (var node in new[] { cluster[0], cluster[1] })
            {
                var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token);
                if (routez.RemoteIds.Contains(oddId))
                {
                    violations.Add($"at {clock.Elapsed.TotalSeconds:0.0}s {routez.Summary()}");
                }
            }

            sawRejection = cluster.Nodes.Any(n => n.OutputContains("does not match") || n.OutputContains("cluster name"));
            await Task.Delay(200, timeout.Token);
        }

        Assert.True(violations.Count == 0, "a route formed across different cluster names:\n" + string.Join("\n", violations));
        Assert.True(sawRejection, "no node logged the cluster name mismatch (\"does not match\" or \"cluster name\")\n" + await cluster.DescribeAsync(timeout.Token));
    }
}
