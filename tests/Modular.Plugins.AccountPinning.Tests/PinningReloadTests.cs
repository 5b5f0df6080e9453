using Modular.Testing;
using Xunit.Abstractions;

namespace Modular.Plugins.AccountPinning.Tests;

/// <summary>
/// Pinned accounts added and removed by a config reload (protocol.md §3.7): the reloading server asks
/// each peer to move the account (INFO with route_acc_add_reqid), then dials the pinned routes; a
/// peer that does not pin the account itself still takes the route from that server. Removing the
/// account closes its routes and its traffic goes back to the pool.
/// </summary>
public sealed class PinningReloadTests(ITestOutputHelper output)
{
    private const int Burst = 100;

    [Fact]
    public async Task Reload_PinsAOnOneServerThenAll_ThenUnpins_MessagesFlowThroughout()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec
            {
                Size = 3,
                NamePrefix = "pr",
                Backend = NodeBackend.Process, // reloads by SIGHUP
                Accounts = PinnedTraffic.AccountsAB,

                // The plugin list cannot change by reload: pinning is loaded from the start, unused.
                AdjustNode = (_, spec) => spec with { Plugins = ["pinning"] },
            },
            ct);
        await cluster.WaitConnectionCountsAsync(4, cancellationToken: ct);
        var ids = new Dictionary<Node, string>();
        foreach (var node in cluster.Nodes)
        {
            ids[node] = await MonitorEndpoints.ServerIdAsync(node, ct);
        }

        // pr1 alone pins A: the others confirm and accept its A routes; pr2 <-> pr3 keep A pooled.
        var first = cluster[0];
        await first.ReloadAsync(first.Config.WithPinnedAccounts(NodeFlavor.Modular, "A"), ct);
        await Wait.Until(() => first.OutputContains("pinned accounts added: A"), TimeSpan.FromSeconds(15), "pr1's reload line\n" + first.Describe());
        foreach (var other in cluster.Nodes.Skip(1))
        {
            await WaitAccountRoutesAsync(first, ids[other], 1, ct);
            await WaitAccountRoutesAsync(other, ids[first], 1, ct);
            await Wait.Until(() => other.OutputContains("moves account A to a dedicated route"), TimeSpan.FromSeconds(10), $"{other.Name}'s line\n{other.Describe()}");
        }

        Assert.True(first.OutputLines.All(l => !l.Contains("Timed out waiting for confirmation", StringComparison.Ordinal)), "a peer did not confirm in time\n" + first.Describe());
        await AssertFlowsAsync(first, cluster[1], onPinnedRoute: true, ct);
        await AssertFlowsAsync(cluster[1], first, onPinnedRoute: true, ct);
        await AssertFlowsAsync(cluster[1], cluster[2], onPinnedRoute: false, ct);

        // The others pin A too: every pair has its A route, and only one each.
        foreach (var node in cluster.Nodes.Skip(1))
        {
            await node.ReloadAsync(node.Config.WithPinnedAccounts(NodeFlavor.Modular, "A"), ct);
        }

        await cluster.WaitConnectionCountsAsync(5, cancellationToken: ct);
        await AssertFlowsAsync(cluster[1], cluster[2], onPinnedRoute: true, ct);
        await AssertFlowsAsync(cluster[2], first, onPinnedRoute: true, ct);

        // Everyone unpins A: its routes close for good and A travels on the pool again.
        foreach (var node in cluster.Nodes)
        {
            await node.ReloadAsync(node.Config with { ExtraConfig = null }, ct);
        }

        await cluster.WaitConnectionCountsAsync(4, cancellationToken: ct);
        foreach (var node in cluster.Nodes)
        {
            // The connection counts can settle before the last server has logged its reload line.
            await Wait.Until(() => node.OutputContains("pinned accounts removed: A"), TimeSpan.FromSeconds(15), $"{node.Name}'s reload line\n{node.Describe()}");
        }

        await AssertFlowsAsync(first, cluster[2], onPinnedRoute: false, ct);
        await AssertFlowsAsync(cluster[2], cluster[1], onPinnedRoute: false, ct);
    }

    private async Task AssertFlowsAsync(Node from, Node to, bool onPinnedRoute, CancellationToken ct)
    {
        var a = await PinnedTraffic.SendAndMeasureAsync(from, to, "A", "A", Burst, ct);
        output.WriteLine($"A {from.Name} -> {to.Name}: {a.PinnedOut}/{a.OtherOut} out, {a.PinnedIn}/{a.OtherIn} in (A route/other)");
        if (onPinnedRoute)
        {
            Assert.True(a.PinnedOut >= Burst && a.OtherOut == 0, $"A {from.Name} -> {to.Name} should use the A route only: {a}");
        }
        else
        {
            Assert.True(a.PinnedOut == 0 && a.OtherOut >= Burst, $"A {from.Name} -> {to.Name} should use the pooled routes: {a}");
        }
    }

    private static async Task WaitAccountRoutesAsync(Node node, string peerId, int count, CancellationToken ct) =>
        await Wait.Until(
            async () => (await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct)).To(peerId).Count(r => r.Account == "A") == count,
            TimeSpan.FromSeconds(20),
            $"{node.Name}: {count} route(s) with account A to {peerId}\n{node.Describe()}");
}
