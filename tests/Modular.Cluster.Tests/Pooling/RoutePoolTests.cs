using Modular.Cluster.Tests.Fixtures;
using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Pooling;

/// <summary>
/// pool_size 3: three pooled connections per peer plus the pinned <c>$SYS</c> route; an account's
/// traffic runs on the connection FNV-1a(account) mod 3 picks (protocol.md §4).
/// </summary>
public sealed class RoutePoolTests(PoolAccountsCluster fixture) : IClassFixture<PoolAccountsCluster>
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Pool_TwoNodes_ThreePooledAndOnePinnedSysPerPeer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Cluster.WaitConnectionCountsAsync(4, cancellationToken: timeout.Token);
        foreach (var node in Cluster.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token);
            Assert.True(routez.NumRoutes == 4 && routez.Routes.Count == 4, $"{node.Name}: {routez.Summary()}");
            Assert.True(routez.Routes.Count(r => r.Account == "$SYS") == 1, $"{node.Name}: one route pinned to $SYS: {routez.Summary()}");
            Assert.True(routez.Routes.Count(r => r.Account is null) == 3, $"{node.Name}: three pooled routes: {routez.Summary()}");
            using var varz = await MonitorEndpoints.GetJsonAsync(node, "/varz", timeout.Token);
            Assert.True(MonitorEndpoints.Long(varz.RootElement, "routes") == 4, $"/varz routes: {varz.RootElement.GetRawText()}");
            Assert.True(MonitorEndpoints.Long(varz.RootElement, "remotes") == 1, $"/varz remotes: {varz.RootElement.GetRawText()}");
        }
    }

    [Theory]
    [InlineData("A")]
    [InlineData("B")]
    [InlineData("C")]
    public async Task Pool_AccountTraffic_CrossesInBothDirections(string account)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var (user, password) = PoolAccountsCluster.UserOf(account);
        var subject = $"pool.{account}.{Guid.NewGuid():N}";
        await using var on1 = await Clients.ConnectAsync(Cluster[0], ct, user, password);
        await using var on2 = await Clients.ConnectAsync(Cluster[1], ct, user, password);
        await using var sub1 = await on1.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await using var sub2 = await on2.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(on1, on2, ct);
        await Propagation.AwaitInterestAsync(on2, on1, ct);

        await on1.PublishAsync(subject, "1to2", cancellationToken: ct);
        await on2.PublishAsync(subject, "2to1", cancellationToken: ct);
        await Propagation.BarrierAsync(on1, on2, ct);
        await Propagation.BarrierAsync(on2, on1, ct);

        Assert.Equal(["1to2", "2to1"], Clients.Drain(sub1).Select(m => m.Data).Order(StringComparer.Ordinal));
        Assert.Equal(["1to2", "2to1"], Clients.Drain(sub2).Select(m => m.Data).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pool_AccountsOnDifferentPoolIndexes_UseDifferentConnections()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await Cluster.WaitConnectionCountsAsync(4, cancellationToken: ct);
        var carriers = new Dictionary<string, long>();
        foreach (var account in new[] { "A", "B", "C", "X" })
        {
            carriers[account] = await CarrierOfAsync(account, ct);
        }

        var routez = await MonitorEndpoints.RoutezAsync(Cluster[0], cancellationToken: ct);
        var sysRid = routez.Routes.FirstOrDefault(r => r.Account == "$SYS")?.Rid;
        var text = string.Join(", ", carriers.Select(kv => $"{kv.Key}->rid {kv.Value}")) + $"; $SYS rid {sysRid}; {routez.Summary()}";
        // FNV-1a mod 3: A=0, B=0, C=1, X=2.
        Assert.True(new[] { carriers["A"], carriers["C"], carriers["X"] }.Distinct().Count() == 3, "A, C and X map to pool indexes 0, 1, 2 and must use three connections: " + text);
        Assert.True(carriers["A"] == carriers["B"], "A and B both map to pool index 0 and must share a connection: " + text);
        Assert.True(carriers.Values.All(rid => rid != sysRid), "no account traffic on the pinned $SYS route: " + text);
    }

    /// <summary>Publishes 50 messages of <paramref name="account"/> from node 1 to node 2; returns the rid of node 1's route whose out_msgs carried them.</summary>
    private async Task<long> CarrierOfAsync(string account, CancellationToken ct)
    {
        const int Count = 50;
        var (user, password) = PoolAccountsCluster.UserOf(account);
        var subject = $"carrier.{account}.{Guid.NewGuid():N}";
        await using var publisher = await Clients.ConnectAsync(Cluster[0], ct, user, password);
        await using var subscriber = await Clients.ConnectAsync(Cluster[1], ct, user, password);
        await using var sub = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

        var before = await MonitorEndpoints.RoutezAsync(Cluster[0], cancellationToken: ct);
        for (var i = 0; i < Count; i++)
        {
            await publisher.PublishAsync(subject, "x", cancellationToken: ct);
        }

        await Propagation.BarrierAsync(publisher, subscriber, ct);
        Assert.Equal(Count, Clients.Drain(sub).Count);
        var after = await MonitorEndpoints.RoutezAsync(Cluster[0], cancellationToken: ct);

        var deltas = after.Routes
            .Select(r => (r.Rid, Delta: r.OutMsgs - (before.Routes.FirstOrDefault(b => b.Rid == r.Rid)?.OutMsgs ?? 0)))
            .OrderByDescending(d => d.Delta)
            .ToList();
        var summary = string.Join(", ", deltas.Select(d => $"rid {d.Rid}: +{d.Delta}"));
        Assert.True(deltas.Count > 0 && deltas[0].Delta >= Count, $"account {account}: no route's out_msgs grew by {Count} (before {before.Summary()}; after {after.Summary()})");
        Assert.True(deltas.Skip(1).All(d => d.Delta < Count), $"account {account}: its messages went over more than one connection: {summary}");
        return deltas[0].Rid;
    }
}
