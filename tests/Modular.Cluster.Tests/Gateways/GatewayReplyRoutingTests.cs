using Modular.Testing;

namespace Modular.Cluster.Tests.Gateways;

/// <summary>Replies routed back across gateways, with Modular on both sides (see <see cref="GatewayReplyRouting"/>).</summary>
public sealed class GatewayReplyRoutingTests
{
    [Fact]
    public async Task RoutedReply_ArrivesAtAnotherServerOfTheOriginCluster_GoesOverTheRouteToTheOriginOnly()
    {
        await GatewayReplyRouting.AssertReplyRoutedToOriginAsync(NodeProgram.Modular);
    }
}
