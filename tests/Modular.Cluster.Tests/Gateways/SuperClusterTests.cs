using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Gateways;

/// <summary>
/// Modular-only super-clusters: two clusters of two servers joined by gateways (nats-server
/// gateway.go): messages cross on outbound connections where the other cluster announced interest
/// (interest-only mode), and nowhere else.
/// </summary>
public sealed class SuperClusterTests
{
    private static readonly NodeProgram[] TwoModular = [NodeProgram.Modular, NodeProgram.Modular];

    [Theory]
    [InlineData(SuperCluster.GatewayDialing.Both)]
    [InlineData(SuperCluster.GatewayDialing.AOnly)]
    public async Task TwoClusters_PublishOnEveryNode_EverySubscriberInTheOtherClusterGetsItOnce(SuperCluster.GatewayDialing dialing)
    {
        await WithSuperClusterAsync(dialing, (super, ct) => super.AssertEveryMessageReachesEverySubscriberOnceAsync(ct));
    }

    [Fact]
    public async Task RequestReply_EveryPairAcrossClusters_AnsweredThroughARewrittenReply()
    {
        await WithSuperClusterAsync(SuperCluster.GatewayDialing.Both, (super, ct) => super.AssertRequestsAnsweredAcrossAsync(ct));
    }

    [Fact]
    public async Task QueueGroup_MemberInEachCluster_LocalWinsThenFailsOverAcross()
    {
        await WithSuperClusterAsync(SuperCluster.GatewayDialing.Both, (super, ct) => super.AssertQueueGroupPrefersLocalThenFailsOverAsync(ct));
    }

    [Fact]
    public async Task InterestOnly_NoSubscriberInTheOtherCluster_NothingCrossesTheGateway()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync([NodeProgram.Modular], [NodeProgram.Modular], cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        var a = super.A[0].Embedded!.Gateways!;
        var outbound = Assert.Single(a.GetOutbound());
        var before = outbound.OutMsgs;

        await using var publisher = await Clients.ConnectAsync(super.A[0], ct);
        await using var local = await Clients.ConnectAsync(super.A[0], ct);
        await using var sub = await local.SubscribeCoreAsync<int>("quiet.local", cancellationToken: ct);
        // The PONG says the server has registered the SUB: the publisher is another connection,
        // and a message published before that would be dropped, not queued.
        await local.PingAsync(ct);
        for (var i = 0; i < 100; i++)
        {
            await publisher.PublishAsync("quiet.local", i, cancellationToken: ct);
        }

        // All 100 read with a deadline: the barrier says the server delivered them, not that the
        // client library has moved them into the subscription's channel yet.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        var received = 0;
        while (received < 100 && await sub.Msgs.WaitToReadAsync(deadline.Token))
        {
            while (received < 100 && sub.Msgs.TryRead(out _))
            {
                received++;
            }
        }

        await Propagation.BarrierAsync(publisher, local, ct);
        Assert.Equal(100, received);
        Assert.Equal(before, outbound.OutMsgs);
    }

    [Fact]
    public async Task ClusterCheck_SuperClusterFromOneUrlPerCluster_EveryClusterMeshedAndGatewayed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(TwoModular, TwoModular, cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);

        var check = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), ["cluster", "check", "--monitor", super.A[0].MonitorUrl, super.B[0].MonitorUrl]);

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("cluster A+B: 4 servers, full mesh", check.StdOut, StringComparison.Ordinal);
        Assert.Contains("gateway A with outbound to 1 cluster(s)", check.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterCheck_ServerWithoutGatewayInASuperCluster_Reported()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(
            TwoModular,
            TwoModular,
            adjust: (cluster, index, spec) => cluster == "B" && index == 1 ? spec with { GatewayName = null } : spec,
            cancellationToken: ct);

        var check = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), ["cluster", "check", "--monitor", super.A[0].MonitorUrl, super.B[0].MonitorUrl]);

        Assert.True(check.ExitCode != 0, check.ToString());
        Assert.Contains("b2 (", check.StdOut, StringComparison.Ordinal);
        Assert.Contains("has no gateway, while the super-cluster has clusters A, B", check.StdOut, StringComparison.Ordinal);
    }

    /// <summary>Two clusters of two modular servers, gateways formed, then <paramref name="check"/>.</summary>
    private static async Task WithSuperClusterAsync(SuperCluster.GatewayDialing dialing, Func<SuperCluster, CancellationToken, Task> check)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(TwoModular, TwoModular, dialing, cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        await check(super, ct);
    }
}
