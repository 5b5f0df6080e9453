using System.Diagnostics;
using System.Globalization;
using Modular.Testing;
using Xunit.Abstractions;

namespace Modular.Plugins.Gossip.Tests;

/// <summary>
/// Gossip discovery (protocol.md §3.3, issue 6): servers seeded with one other form a full mesh with
/// the gossip plugin; without it (or with mode "disabled") the mesh stays as configured.
/// </summary>
public sealed class GossipMeshTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MeshTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Gossip_FiveSeededOnN1_FullMesh_ThenASixthWithOneSeedJoinsEverywhere()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        // g1..g5: a star on g1. g6 lists only g3, a server that itself only knows g1.
        var plan = GossipSpecs.Plan(6, "gs", i => i < 5 ? GossipSpecs.Star(i) : [2], (_, s) => GossipSpecs.Gossiping(s));
        await using var group = new TestCluster();
        var clock = Stopwatch.StartNew();
        var five = await group.AddAsync(plan.Take(5).Select(s => (GossipSpecs.Program, s)), cancellationToken: ct);
        var started = clock.Elapsed;
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        output.WriteLine($"5 servers (star on gs1): all serving after {started.TotalMilliseconds:0} ms, full mesh after {clock.Elapsed.TotalMilliseconds:0} ms");

        // Routes between two non-seed servers were learned: neither side configured them.
        var ids = await TestCluster.ServerIdsAsync(five, ct);
        foreach (var node in five.Skip(1))
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            foreach (var other in five.Skip(1).Where(o => o != node))
            {
                var routes = routez.To(ids[other]);
                Assert.True(routes.Count > 0 && routes.All(r => !r.IsConfigured), $"{node.Name} -> {other.Name} should be implicit (is_configured false): {routez.Summary()}");
            }
        }

        clock.Restart();
        await group.AddAsync(GossipSpecs.Program, plan[5], cancellationToken: ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        output.WriteLine($"gs6 (seeded with gs3 only) joined all 5 after {clock.Elapsed.TotalMilliseconds:0} ms");
        await AssertNoRouteToSelfAsync(group, ct);
    }

    [Fact]
    public async Task Gossip_FiveSeededInAChain_FullMesh()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var plan = GossipSpecs.Plan(5, "gc", GossipSpecs.Chain, (_, s) => GossipSpecs.Gossiping(s));
        await using var group = new TestCluster();
        var clock = Stopwatch.StartNew();
        await group.AddAsync(plan.Select(s => (GossipSpecs.Program, s)), cancellationToken: ct);
        var started = clock.Elapsed;
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        output.WriteLine($"5 servers (chain gc1<-gc2<-...<-gc5): all serving after {started.TotalMilliseconds:0} ms, full mesh after {clock.Elapsed.TotalMilliseconds:0} ms");

        // The mesh is steady: once formed, every server keeps the full pool to every peer and nothing churns.
        await WaitConnectionsPerPeerAsync(group, GossipSpecs.DefaultConnectionsPerPeer, ct);
        var churn = await group.RouteChurnAsync(ct);
        Assert.True(churn is null, "route connections were still being made or dropped after the mesh formed: " + churn);
        Assert.True(await TestCluster.IsFormedAsync(group.Nodes, ct), "the mesh fell apart after forming\n" + await group.DescribeAsync(cancellationToken: ct));
        await AssertNoRouteToSelfAsync(group, ct);
    }

    /// <summary>Discovery is static without the plugin, and with mode = "disabled": a star stays a star.</summary>
    [Theory]
    [InlineData("no plugin")]
    [InlineData("disabled")]
    public async Task StaticDiscovery_StarStaysAStar(string discovery)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var prefix = discovery == "disabled" ? "gd" : "gn";
        var plan = GossipSpecs.Plan(4, prefix, GossipSpecs.Star, (_, s) => discovery == "disabled" ? s.WithGossip("disabled") : s);
        await using var group = new TestCluster();
        await group.AddAsync(plan.Select(s => (NodeProgram.Modular, s)), cancellationToken: ct);
        var center = $"{prefix}1";
        var star = new Dictionary<string, SortedSet<string>>
        {
            [center] = new(new[] { $"{prefix}2", $"{prefix}3", $"{prefix}4" }, StringComparer.Ordinal),
            [$"{prefix}2"] = new(new[] { center }, StringComparer.Ordinal),
            [$"{prefix}3"] = new(new[] { center }, StringComparer.Ordinal),
            [$"{prefix}4"] = new(new[] { center }, StringComparer.Ordinal),
        };

        try
        {
            await Wait.Until(async () => SameTopology(await group.PeerNamesAsync(ct), star), MeshTimeout, "the star");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(ex.Message + "\n" + await group.DescribeAsync(cancellationToken: ct));
        }

        // No server learns of another, nobody dials anything it was not told to: the star and its
        // route connections stay the same across a round trip with every node.
        var churn = await group.RouteChurnAsync(ct);
        Assert.True(churn is null, $"{discovery}: {churn}");
        var now = await group.PeerNamesAsync(ct);
        Assert.True(SameTopology(now, star), $"{discovery}: the star changed: {Describe(now)}\n{await group.DescribeAsync(cancellationToken: ct)}");

        Assert.Equal(0, group.CountOutputLines("Discovered route"));
    }

    /// <summary>
    /// 20 servers started at once, each listing only the first: they still form a full mesh, and the
    /// duplicate connections closed on the way (both sides dialing each other when they learn of each
    /// other together) stay bounded. pool_size = -1 (one connection per pair) keeps 20 processes
    /// within two cores; the duplicate count is printed.
    /// </summary>
    [Fact]
    public async Task Gossip_TwentyStartedAtOnceWithOneSeed_FullMeshWithBoundedDuplicates()
    {
        const int size = 20;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var ct = timeout.Token;
        var plan = GossipSpecs.Plan(size, "gt", GossipSpecs.Star, (_, s) => GossipSpecs.Gossiping(s with { PoolSize = -1, StartTimeout = TimeSpan.FromSeconds(90) }));
        await using var group = new TestCluster();
        var clock = Stopwatch.StartNew();
        await group.AddAsync(plan.Select(s => (GossipSpecs.Program, s)), cancellationToken: ct);
        var started = clock.Elapsed;
        await group.WaitFormedAsync(timeout: TimeSpan.FromSeconds(150), cancellationToken: ct);
        var formed = clock.Elapsed;

        // Settled when every pair is down to one connection on each end; then count: every connection
        // ever registered, those closed as duplicates, and those left.
        var pairs = size * (size - 1) / 2;
        await group.WaitConnectionCountsAsync(1, timeout: TimeSpan.FromSeconds(30), cancellationToken: ct);
        Assert.True(await TestCluster.IsFormedAsync(group.Nodes, ct), "the 20-node mesh fell apart after forming\n" + await group.DescribeAsync(ct));
        var created = group.CountOutputLines("Route connection created");
        var duplicates = group.CountOutputLines("Duplicate Route");
        var final = 0;
        foreach (var node in group.Nodes)
        {
            final += (await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct)).NumRoutes;
        }

        output.WriteLine(ServerClock(group));
        output.WriteLine(
            $"{size} servers (pool_size -1, star on gt1): all serving after {started.TotalSeconds:0.0} s, full mesh after {formed.TotalSeconds:0.0} s; "
            + $"route connections registered (both ends) {created}, left {final} (= 2 x {pairs} pairs), "
            + $"closed as \"Duplicate Route\" {duplicates} log lines, churn (registered - left) {created - final}");

        Assert.Equal(2 * pairs, final);

        // Bounded: at most one extra registered connection per pair on each end (both sides dialed), no storm.
        Assert.True(created - final <= 2 * pairs, $"{created - final} connections registered and closed again for {pairs} pairs: a duplicate-route storm");

        // And quiet afterwards: nothing more is created or closed as duplicate.
        var churn = await group.RouteChurnAsync(ct);
        Assert.True(churn is null, churn);
        Assert.True(
            created == group.CountOutputLines("Route connection created") && duplicates == group.CountOutputLines("Duplicate Route"),
            $"routes still churn 5 s after the mesh formed: created {created} -> {group.CountOutputLines("Route connection created")}, duplicates {duplicates} -> {group.CountOutputLines("Duplicate Route")}");
    }

    /// <summary>
    /// An implicit (learned) route to a server that is gone is redialed only connect_retries times
    /// (protocol.md §3.1, nats-server #204): a listener on the dead server's route port counts the dials.
    /// </summary>
    [Fact]
    public async Task Gossip_LearnedPeerKilled_SurvivorsStopDialingItAfterConnectRetries()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var retriesLine = GossipSpecs.Program.Flavor == NodeFlavor.Modular ? "connect_retries = 2" : "connect_retries: 2";
        var plan = GossipSpecs.Plan(4, "gk", GossipSpecs.Star, (_, s) => GossipSpecs.Gossiping(s).WithClusterLine(retriesLine));
        await using var group = new TestCluster();
        await group.AddAsync(plan.Select(s => (GossipSpecs.Program, s)), cancellationToken: ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        await WaitConnectionsPerPeerAsync(group, GossipSpecs.DefaultConnectionsPerPeer, ct);

        // The victim: the non-seed server with the greatest id, so the other non-seed servers' own dials
        // to it are the connections that stayed (the smaller id's dial wins) and they are the ones to redial.
        var ids = await TestCluster.ServerIdsAsync(group.Nodes, ct);
        var victim = group.Nodes.Skip(1).OrderByDescending(n => ids[n], StringComparer.Ordinal).First();
        var survivors = group.Nodes.Where(n => n != victim).ToArray();
        var solicited = new List<string>();
        foreach (var node in survivors)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            solicited.AddRange(routez.To(ids[victim]).Where(r => r.DidSolicit).Select(r => $"{node.Name} rid {r.Rid}{(r.Account is null ? "" : " " + r.Account)} configured={r.IsConfigured}"));
        }

        var victimPort = victim.Ports.Cluster!.Value;
        var errorsBefore = survivors.Sum(n => n.OutputLines.Count(l => l.Contains(victimPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        await victim.KillAsync();
        var killedAt = DateTime.UtcNow;
        await using var counter = await DialCounter.StartAsync(victimPort, TimeSpan.FromSeconds(10));

        // Quiet for 5 s in a row within 30 s: the survivors gave up.
        var quiet = TimeSpan.FromSeconds(5);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(250, ct);
            var dials = counter.Accepted;
            var last = dials.Count == 0 ? killedAt : dials[^1];
            if (DateTime.UtcNow - last >= quiet)
            {
                break;
            }

            Assert.True(
                deadline.Elapsed < TimeSpan.FromSeconds(30),
                $"{victim.Name}'s route port is still dialed {(DateTime.UtcNow - killedAt).TotalSeconds:0} s after it died ({dials.Count} dials): a learned route redialed for ever\n{await group.DescribeAsync(cancellationToken: ct)}");
        }

        var total = counter.Accepted;
        var lines = survivors.Sum(n => n.OutputLines.Count(l => l.Contains(victimPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))) - errorsBefore;
        output.WriteLine(
            $"{victim.Name} killed; survivors' solicited routes to it before: [{string.Join("; ", solicited)}]; "
            + $"dials to its port afterwards: {total.Count} (last {(total.Count == 0 ? 0 : (total[^1] - killedAt).TotalSeconds):0.0} s after the kill); "
            + $"survivor log lines naming its port since: {lines}");
        if (solicited.Count > 0)
        {
            Assert.True(total.Count > 0, $"survivors had dialed {victim.Name} ({string.Join("; ", solicited)}) but nobody tried to reconnect (connect_retries = 2)");
        }

        // Still dialed by nobody a little later, and the survivors still mesh among themselves.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        Assert.Equal(total.Count, counter.Accepted.Count);
        await group.WaitFormedAsync(survivors, MeshTimeout, ct);
    }

    private static async Task WaitConnectionsPerPeerAsync(TestCluster group, int perPeer, CancellationToken ct)
    {
        try
        {
            await Wait.Until(
                async () =>
                {
                    foreach (var node in group.Nodes)
                    {
                        var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
                        if (routez.NumRoutes != perPeer * (group.Nodes.Count - 1) || routez.Routes.GroupBy(r => r.RemoteId).Any(g => g.Count() != perPeer))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                MeshTimeout,
                $"{perPeer} connections per peer");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(ex.Message + "\n" + await group.DescribeAsync(cancellationToken: ct));
        }
    }

    private static async Task AssertNoRouteToSelfAsync(TestCluster group, CancellationToken ct)
    {
        foreach (var node in group.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            Assert.True(routez.Routes.All(r => r.RemoteId != routez.ServerId), $"{node.Name} routes to itself: {routez.Summary()}");
        }
    }

    /// <summary>
    /// From modular's own log stamps ("[HH:mm:ss.fff INF] …"): when the last server became ready and
    /// when the last route connection was created, independent of how fast the test polls.
    /// </summary>
    private static string ServerClock(TestCluster group)
    {
        static TimeSpan? Stamp(string line) =>
            line.Length > 13 && line[0] == '[' && TimeSpan.TryParseExact(line.AsSpan(1, 12), @"hh\:mm\:ss\.fff", null, out var t) ? t : null;

        var lines = group.Nodes.SelectMany(n => n.OutputLines).ToList();
        var ready = lines.Where(l => l.Contains("Server is ready", StringComparison.Ordinal)).Select(Stamp).Where(t => t.HasValue).Max();
        var created = lines.Where(l => l.Contains("Route connection created", StringComparison.Ordinal)).Select(Stamp).Where(t => t.HasValue).Max();
        return ready is null || created is null
            ? "(no modular log stamps)"
            : $"per the servers' logs: last server ready {ready:hh\\:mm\\:ss\\.fff}, last route created {created:hh\\:mm\\:ss\\.fff} ({(created - ready)!.Value.TotalSeconds:0.0} s later)";
    }

    private static bool SameTopology(Dictionary<string, SortedSet<string>> actual, Dictionary<string, SortedSet<string>> expected) =>
        actual.Count == expected.Count && expected.All(pair => actual.TryGetValue(pair.Key, out var peers) && peers.SetEquals(pair.Value));

    private static string Describe(Dictionary<string, SortedSet<string>> topology) =>
        string.Join("; ", topology.Select(pair => $"{pair.Key} -> [{string.Join(",", pair.Value)}]"));
}
