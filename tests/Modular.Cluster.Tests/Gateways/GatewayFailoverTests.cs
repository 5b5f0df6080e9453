using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Gateways;

/// <summary>
/// A cluster's gateway URLs (nats-server gateway.go): every server learns its route peers' gateway
/// URLs (route INFO <c>gateway_url</c>) and lists them in its gateway INFO (<c>gateway_urls</c>), so
/// another cluster that lost its outbound connection dials another of its servers (failover).
/// </summary>
public sealed class GatewayFailoverTests
{
    private static readonly NodeProgram[] One = [NodeProgram.Modular];
    private static readonly NodeProgram[] Two = [NodeProgram.Modular, NodeProgram.Modular];

    [Fact]
    public async Task GatewayInfo_TwoServerCluster_ListsBothServersGatewayUrls()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(One, Two, SuperCluster.GatewayDialing.AOnly, cancellationToken: ct);
        var b1 = super.B[0].Embedded!.Gateways!;
        var b2 = super.B[1].Embedded!.Gateways!;
        await Wait.Until(
            () => b1.BuildInfo().GatewayUrls!.Contains(b2.Url) && b2.BuildInfo().GatewayUrls!.Contains(b1.Url),
            SuperCluster.FormTimeout,
            "each server of B to list the other's gateway URL in its gateway INFO");
        Assert.Equal(b1.Url, b1.BuildInfo().GatewayUrls![0]);
    }

    [Fact]
    public async Task OutboundGateway_DialedServerKilled_ReformsToTheOtherServerAndTrafficCrosses()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        // A lists only B's first server: B's second is known only from the gateway INFO.
        await using var super = await SuperCluster.StartAsync(
            One,
            Two,
            SuperCluster.GatewayDialing.AOnly,
            adjust: (cluster, _, spec) => cluster == "A" ? spec with { Gateways = spec.Gateways.Select(g => (g.Name, (IReadOnlyList<int>)g.Ports.Take(1).ToList())).ToList() } : spec,
            cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        var a = super.A[0].Embedded!.Gateways!;
        var b1 = super.B[0].Embedded!;
        var b2 = super.B[1].Embedded!;
        var b2Url = b2.Gateways!.Url;
        Assert.Equal(b1.ServerId, Assert.Single(a.GetOutbound()).RemoteId);
        await Wait.Until(
            () => a.GetRemotes().Single(r => r.Name == "B").Urls.Any(u => $"{u.Host}:{u.Port}" == b2Url),
            SuperCluster.FormTimeout,
            $"A to learn B's second gateway URL {b2Url}");

        await super.B[0].KillAsync();

        await Wait.Until(
            () => a.GetOutbound() is [{ IsRegistered: true } outbound] && outbound.RemoteId == b2.ServerId,
            SuperCluster.FormTimeout,
            "A's outbound gateway to re-form to B's second server");
        await using var onA = await Clients.ConnectAsync(super.A[0], ct);
        await using var onB = await Clients.ConnectAsync(super.B[1], ct);
        await Propagation.AwaitInterestAsync(onA, onB, ct);
        await Propagation.AwaitInterestAsync(onB, onA, ct);
    }
}
