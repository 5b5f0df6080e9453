using Modular.Testing;
using Xunit.Abstractions;

namespace Modular.Plugins.AccountPinning.Tests;

/// <summary>
/// Pinned accounts (protocol.md §4, issue 6): with the pinning plugin and accounts = ["A"], every
/// pair of servers has a route of its own for A, shown with "account":"A" in /routez on both ends;
/// A's messages travel only there, B's only on the pooled routes.
/// </summary>
public sealed class PinnedAccountTests(ITestOutputHelper output)
{
    private const int Burst = 200;

    [Fact]
    public async Task Pinning_ThreeServers_RouteForAPerPeerOnBothEnds_CarriesAOnlyAndBStaysPooled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var flavor = NodeProgram.UnderTest.Flavor;
        await using var cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec
            {
                Size = 3,
                NamePrefix = "pa",
                Accounts = PinnedTraffic.AccountsAB,
                AdjustNode = (_, spec) => spec.WithPinnedAccounts(flavor, "A"),
            },
            ct);

        // 3 pooled + $SYS + A to each peer.
        await cluster.WaitConnectionCountsAsync(5, cancellationToken: ct);
        var ids = new Dictionary<Node, string>();
        foreach (var node in cluster.Nodes)
        {
            ids[node] = await MonitorEndpoints.ServerIdAsync(node, ct);
        }

        foreach (var node in cluster.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            foreach (var other in cluster.Nodes.Where(o => o != node))
            {
                var accounts = routez.To(ids[other]).Select(r => r.Account ?? "-").Order(StringComparer.Ordinal).ToList();
                Assert.True(
                    accounts.SequenceEqual(["$SYS", "-", "-", "-", "A"]),
                    $"{node.Name} -> {other.Name}: expected 3 pooled routes, one \"$SYS\" and one \"A\", got [{string.Join(", ", accounts)}]: {routez.Summary()}");
            }
        }

        // A: only on the A route, both ways between two servers.
        foreach (var (from, to) in new[] { (cluster[0], cluster[1]), (cluster[1], cluster[0]), (cluster[2], cluster[0]) })
        {
            var a = await PinnedTraffic.SendAndMeasureAsync(from, to, "A", "A", Burst, ct);
            output.WriteLine($"A {from.Name} -> {to.Name}: {a.PinnedOut}/{a.OtherOut} out, {a.PinnedIn}/{a.OtherIn} in (pinned/other)");
            Assert.True(a.PinnedOut >= Burst && a.PinnedIn >= Burst, $"A's {Burst} messages {from.Name} -> {to.Name} should go on the A route: {a}");
            Assert.True(a.OtherOut == 0 && a.OtherIn == 0, $"A's messages {from.Name} -> {to.Name} should not touch the pooled routes: {a}");

            var b = await PinnedTraffic.SendAndMeasureAsync(from, to, "B", "A", Burst, ct);
            output.WriteLine($"B {from.Name} -> {to.Name}: {b.PinnedOut}/{b.OtherOut} out, {b.PinnedIn}/{b.OtherIn} in (A route/other)");
            Assert.True(b.PinnedOut == 0 && b.PinnedIn == 0, $"B's messages {from.Name} -> {to.Name} must not use A's route: {b}");
            Assert.True(b.OtherOut >= Burst && b.OtherIn >= Burst, $"B's {Burst} messages {from.Name} -> {to.Name} should go on a pooled route: {b}");
        }
    }

    /// <summary>
    /// Pinning on one side only: the peer answers "No route for account"; A's traffic falls back to
    /// the pooled routes and still gets through (issue 6: peers that cannot pin get the pooled route).
    /// </summary>
    [Fact]
    public async Task Pinning_OnlyOneSidePins_AFallsBackToPooledRoutesAndIsDelivered()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var flavor = NodeProgram.UnderTest.Flavor;
        await using var cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec
            {
                Size = 2,
                NamePrefix = "p1s",
                Accounts = PinnedTraffic.AccountsAB,
                AdjustNode = (i, spec) => i == 0 ? spec.WithPinnedAccounts(flavor, "A") : spec,
            },
            ct);
        await cluster.WaitConnectionCountsAsync(4, cancellationToken: ct);

        foreach (var (from, to) in new[] { (cluster[0], cluster[1]), (cluster[1], cluster[0]) })
        {
            RouteTrafficDelta a;
            try
            {
                a = await PinnedTraffic.SendAndMeasureAsync(from, to, "A", "A", Burst, ct);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException(ex.Message + "\n" + await cluster.DescribeAsync(ct), ex);
            }

            output.WriteLine($"A {from.Name} -> {to.Name} (only p1s1 pins A): {a.PinnedOut}/{a.OtherOut} out, {a.PinnedIn}/{a.OtherIn} in (pinned/other)");
            Assert.True(a.OtherOut >= Burst && a.PinnedOut == 0, $"A's messages should use the pooled routes when the peer does not pin A: {a}");
        }

        // The refused pinned route is not redialed in a tight loop: the connection count stays put.
        var before = cluster.Nodes.Sum(n => n.OutputLines.Count);
        var churn = await cluster.RouteChurnAsync(ct, "a", "a");
        Assert.True(churn is null, churn);
        var routez = await MonitorEndpoints.RoutezAsync(cluster[0], cancellationToken: ct);
        Assert.True(routez.NumRoutes == 4, $"p1s1 should keep 3 pooled + $SYS routes: {routez.Summary()}");
        output.WriteLine($"log lines across the round trip: {cluster.Nodes.Sum(n => n.OutputLines.Count) - before}");
    }
}
