using Modular.Testing;

namespace Modular.Interop.Tests.Gateways;

/// <summary>
/// A Modular cluster's outbound gateway to a nats-server 2.10 cluster of two servers fails over: it
/// learns the second server from the first one's INFO (<c>gateway_urls</c>), and when the first is
/// killed it re-forms to the second and traffic crosses again both ways.
/// </summary>
public sealed class GatewayFailoverInteropTests
{
    [Fact]
    public async Task OutboundGatewayToNatsServer_DialedServerKilled_ReformsToTheOtherServerAndTrafficCrosses()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        // A lists only B's first server: the second is known only from nats-server's gateway INFO.
        await using var super = await SuperCluster.StartAsync(
            [NodeProgram.Modular],
            [NodeProgram.NatsServer210, NodeProgram.NatsServer210],
            SuperCluster.GatewayDialing.AOnly,
            adjust: (cluster, _, spec) => cluster == "A" ? spec with { Gateways = spec.Gateways.Select(g => (g.Name, (IReadOnlyList<int>)g.Ports.Take(1).ToList())).ToList() } : spec,
            cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        var a = super.A[0].Embedded!.Gateways!;
        var (b1, b2) = (super.B[0], super.B[1]);
        Assert.Equal(b1.Name, Assert.Single(a.GetOutbound()).RemoteName);
        await Wait.Until(
            () => a.GetRemotes().Single(r => r.Name == "B").Urls.Any(u => u.Port == b2.Config.GatewayPort),
            SuperCluster.FormTimeout,
            $"A to learn {b2.Name}'s gateway URL from {b1.Name}'s INFO");

        await b1.KillAsync();

        await Wait.Until(
            () => a.GetOutbound() is [{ IsRegistered: true } outbound] && outbound.RemoteName == b2.Name,
            SuperCluster.FormTimeout,
            $"A's outbound gateway to re-form to {b2.Name}");
        await using var onA = await Clients.ConnectAsync(super.A[0], ct);
        await using var onB = await Clients.ConnectAsync(b2, ct);
        await Propagation.AwaitInterestAsync(onA, onB, ct);
        await Propagation.AwaitInterestAsync(onB, onA, ct);
    }
}
