using Modular.Testing;

namespace Modular.Interop.Tests.Gateways;

/// <summary>
/// A nats-server 2.10 cluster answers a Modular cluster's request through a Modular server that did
/// not send it: that server forwards the <c>_GR_.</c> reply over the route to the origin by its
/// server hash (see <see cref="GatewayReplyRouting"/>).
/// </summary>
public sealed class GatewayReplyRoutingInteropTests
{
    [Fact]
    public async Task RoutedReplyFromNatsServer_ArrivesAtAnotherModularServer_GoesOverTheRouteToTheOriginOnly()
    {
        await GatewayReplyRouting.AssertReplyRoutedToOriginAsync(NodeProgram.NatsServer210);
    }
}
