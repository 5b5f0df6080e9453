using Modular.Testing;

namespace Modular.Cluster.Tests.Mesh;

/// <summary>
/// Two servers that both list each other dial twice; duplicates must be resolved to exactly the
/// expected connections, with no churn once settled (protocol.md §3.1, §3.2).
/// </summary>
public sealed class DuplicateRouteTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Observe = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Routes_BothSidesConfiguredDefaultPool_SettleAtFourWithoutChurn()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 2, NamePrefix = "dup-" }, timeout.Token);

        await AssertSettlesWithoutChurnAsync(cluster, perPeer: 4, timeout.Token);
    }

    [Fact]
    public async Task Routes_BothSidesConfiguredNoPool_SettleAtOneWithoutChurn()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 2, NamePrefix = "dupnp-", PoolSize = -1 }, timeout.Token);

        await AssertSettlesWithoutChurnAsync(cluster, perPeer: 1, timeout.Token);
    }

    [Fact]
    public async Task Routes_BothSidesConfigured_EveryRouteSolicitedAndConfigured()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "sol-" }, timeout.Token);
        await cluster.WaitConnectionCountsAsync(4, cancellationToken: timeout.Token);

        try
        {
            await Wait.Until(
                async () =>
                {
                    foreach (var node in cluster.Nodes)
                    {
                        var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token);
                        if (!routez.Routes.All(r => r.DidSolicit && r.IsConfigured))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TimeSpan.FromSeconds(10),
                "did_solicit and is_configured on every route of a mesh where all servers list each other");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(ex.Message + "\n" + await cluster.DescribeAsync(timeout.Token));
        }
    }

    private static async Task AssertSettlesWithoutChurnAsync(TestCluster cluster, int perPeer, CancellationToken cancellationToken)
    {
        await cluster.WaitConnectionCountsAsync(perPeer, cancellationToken: cancellationToken);

        // Settle: the set of connection ids must hold still for a while (formation races may close a duplicate or two).
        var settled = await SnapshotAsync(cluster, cancellationToken);
        var stableSince = DateTime.UtcNow;
        var settleDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow - stableSince < Quiet)
        {
            Assert.True(DateTime.UtcNow < settleDeadline, $"route connections never held still for {Quiet.TotalSeconds}s\n{await cluster.DescribeAsync(cancellationToken)}");
            await Task.Delay(100, cancellationToken);
            var now = await SnapshotAsync(cluster, cancellationToken);
            if (!SameConnections(settled, now))
            {
                settled = now;
                stableSince = DateTime.UtcNow;
            }
        }

        foreach (var (node, routez) in settled)
        {
            Assert.True(routez.NumRoutes == perPeer && routez.Routes.Count == perPeer, $"{node} settled with {routez.NumRoutes} route connections, expected {perPeer}: {routez.Summary()}");
        }

        // Observe: no connection closes or opens any more.
        var until = DateTime.UtcNow + Observe;
        while (DateTime.UtcNow < until)
        {
            await Task.Delay(200, cancellationToken);
            var now = await SnapshotAsync(cluster, cancellationToken);
            Assert.True(
                SameConnections(settled, now),
                "route connections churned after settling:\nsettled: " + string.Join("\n", settled.Values.Select(r => r.Summary()))
                + "\nnow: " + string.Join("\n", now.Values.Select(r => r.Summary())));
        }
    }

    private static async Task<Dictionary<string, Routez>> SnapshotAsync(TestCluster cluster, CancellationToken cancellationToken)
    {
        var snapshot = new Dictionary<string, Routez>();
        foreach (var node in cluster.Nodes)
        {
            snapshot[node.Name] = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken);
        }

        return snapshot;
    }

    private static bool SameConnections(Dictionary<string, Routez> a, Dictionary<string, Routez> b) =>
        a.Keys.All(name =>
            b.TryGetValue(name, out var other)
            && a[name].Routes.Select(r => r.Rid).Order().SequenceEqual(other.Routes.Select(r => r.Rid).Order()));
}
