using Modular.Testing;
using Xunit.Abstractions;

namespace Modular.Interop.Tests;

/// <summary>
/// Pinned accounts between modular (pinning plugin) and nats-server 2.10 (<c>cluster { pool_size: 3,
/// accounts: ["A"] }</c>), with the route dialed by either side: the "A" route appears in /routez on
/// both ends and carries A's messages both ways; B's travel on the pooled routes.
/// </summary>
public sealed class PinnedAccountInteropTests(ITestOutputHelper output)
{
    private const int Burst = 200;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pinned_ModularAndNatsServer210_RouteForAOnBothEnds_MessagesBothWays(bool modularDials)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var peer = NodeProgram.NatsServer210;
        var modularSpec = new ConfigBuilder
        {
            Name = modularDials ? "pim-dialer" : "pim-accepter",
            Accounts = PinnedTraffic.AccountsAB,
        }.WithPinnedAccounts(NodeFlavor.Modular, "A");
        var natsSpec = new ConfigBuilder
        {
            Name = modularDials ? "pin-accepter" : "pin-dialer",
            Accounts = PinnedTraffic.AccountsAB,
            PoolSize = 3,
        }.WithPinnedAccounts(NodeFlavor.NatsServer, "A");

        await using var group = new TestCluster();
        var (dialer, accepter) = modularDials
            ? await group.AddDialingPairAsync((NodeProgram.Modular, modularSpec), (peer, natsSpec), NodeBackend.Process, ct)
            : await group.AddDialingPairAsync((peer, natsSpec), (NodeProgram.Modular, modularSpec), NodeBackend.Process, ct);
        var (modular, nats) = modularDials ? (dialer, accepter) : (accepter, dialer);
        Node[] nodes = [modular, nats];
        await group.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30), cancellationToken: ct);
        await WaitRoutesAsync(group, 5, ct);

        foreach (var node in nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            var accounts = routez.Routes.Select(r => r.Account ?? "-").Order(StringComparer.Ordinal).ToList();
            Assert.True(
                accounts.SequenceEqual(["$SYS", "-", "-", "-", "A"]),
                $"{node.Program.Label} {node.Name}: expected 3 pooled routes, \"$SYS\" and \"A\", got [{string.Join(", ", accounts)}]: {routez.Summary()}");
            var dials = modularDials == (node == modular);
            Assert.True(routez.Routes.All(r => r.DidSolicit == dials), $"{node.Name}: did_solicit should be {dials} on every route: {routez.Summary()}");
        }

        foreach (var (from, to) in new[] { (modular, nats), (nats, modular) })
        {
            var a = await PinnedTraffic.SendAndMeasureAsync(from, to, "A", "A", Burst, ct);
            output.WriteLine($"A {from.Program.Label} -> {to.Program.Label}: {a.PinnedOut}/{a.OtherOut} out, {a.PinnedIn}/{a.OtherIn} in (pinned/other)");
            Assert.True(a.PinnedOut >= Burst && a.PinnedIn >= Burst && a.OtherOut == 0 && a.OtherIn == 0, $"A {from.Name} -> {to.Name} only on the A route: {a}");

            var b = await PinnedTraffic.SendAndMeasureAsync(from, to, "B", "A", Burst, ct);
            output.WriteLine($"B {from.Program.Label} -> {to.Program.Label}: {b.PinnedOut}/{b.OtherOut} out, {b.PinnedIn}/{b.OtherIn} in (A route/other)");
            Assert.True(b.PinnedOut == 0 && b.PinnedIn == 0 && b.OtherOut >= Burst && b.OtherIn >= Burst, $"B {from.Name} -> {to.Name} only on pooled routes: {b}");
        }
    }

    /// <summary>
    /// A pinned account added by config reload (protocol.md §3.7) on one side only: the reloading
    /// server sends route_acc_add_reqid, the other confirms, and the A route forms and carries A —
    /// Modular reloading against nats-server 2.10 (which dials), and nats-server 2.10 reloading against
    /// Modular (which dialed the pool, so Modular dials the A route once nats-server has not).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PinnedByReload_OneSide_ModularAndNatsServer210_RouteForAFormsAndCarriesA(bool modularReloads)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        // The reloading side is the one that did not dial the pool.
        var modularSpec = new ConfigBuilder
        {
            Name = "prm",
            Accounts = PinnedTraffic.AccountsAB,
            Plugins = ["pinning"],
        };
        var natsSpec = new ConfigBuilder
        {
            Name = "prn",
            Accounts = PinnedTraffic.AccountsAB,
            PoolSize = 3,
        };

        await using var group = new TestCluster();
        var (dialer, accepter) = modularReloads
            ? await group.AddDialingPairAsync((NodeProgram.NatsServer210, natsSpec), (NodeProgram.Modular, modularSpec), NodeBackend.Process, ct)
            : await group.AddDialingPairAsync((NodeProgram.Modular, modularSpec), (NodeProgram.NatsServer210, natsSpec), NodeBackend.Process, ct);
        var (modular, nats) = modularReloads ? (accepter, dialer) : (dialer, accepter);
        Node[] nodes = [modular, nats];
        await group.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30), cancellationToken: ct);
        await WaitRoutesAsync(group, 4, ct);

        var reloading = modularReloads ? modular : nats;
        await reloading.ReloadAsync(reloading.Config.WithPinnedAccounts(reloading.Program.Flavor, "A"), ct);
        await WaitRoutesAsync(group, 5, ct);
        foreach (var node in nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            Assert.True(routez.Routes.Count(r => r.Account == "A") == 1, $"{node.Program.Label} {node.Name}: one route for A expected: {routez.Summary()}");
        }

        var line = modularReloads ? "pinned accounts added: A" : "moves account A to a dedicated route";
        await Modular.Testing.Wait.Until(() => modular.OutputContains(line), TimeSpan.FromSeconds(10), $"\"{line}\"\n{modular.Describe()}");
        Assert.False(modular.OutputContains("Timed out waiting for confirmation"), modular.Describe());
        foreach (var (from, to) in new[] { (modular, nats), (nats, modular) })
        {
            var a = await PinnedTraffic.SendAndMeasureAsync(from, to, "A", "A", Burst, ct);
            output.WriteLine($"A {from.Program.Label} -> {to.Program.Label}: {a.PinnedOut}/{a.OtherOut} out, {a.PinnedIn}/{a.OtherIn} in (pinned/other)");
            Assert.True(a.PinnedOut >= Burst && a.PinnedIn >= Burst && a.OtherOut == 0 && a.OtherIn == 0, $"A {from.Name} -> {to.Name} only on the A route: {a}");
        }
    }

    private static async Task WaitRoutesAsync(TestCluster group, int count, CancellationToken ct)
    {
        try
        {
            await Modular.Testing.Wait.Until(
                async () =>
                {
                    foreach (var node in group.Nodes)
                    {
                        var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
                        if (routez.NumRoutes != count || routez.Routes.Count != count)
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TimeSpan.FromSeconds(30),
                $"{count} route connections on each side");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(ex.Message + "\n" + await group.DescribeAsync(cancellationToken: ct));
        }
    }
}
