using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Gateways;
using Modular.Core.Server;
using Modular.Core.Tests.Clients;

namespace Modular.Core.Tests.Routes;

// Gateways speak the route protocol on the same pieces, so their half of the hot path is measured
// with the same harness: a request leaving through an outbound gateway (its reply rewritten to
// _GR_.…, which the super-cluster tests check end to end) and a message from another cluster
// delivered to a local subscriber allocate nothing.
public partial class RouteAllocationTests
{
    [Fact]
    public async Task ClientRequestToGateway_SteadyState_AllocatesNothingPerMessageWithTheReplyRewritten()
    {
        await using var gateway = await InProcessPeer.GatewayAsync(outbound: true);
        // Two subscriptions after the interest: it, and the _GR_ reply route.
        await AssertPublishAllocatesNothingAsync(gateway, $"RS+ $G {Subject}\r\n", $"PUB {Subject} _INBOX.abc.1 16", () => gateway.Peer.Count("RMSG"), "client → gateway", subscriptionsAfterInterest: 2);
    }

    [Fact]
    public async Task GatewayMessageToClient_SteadyState_AllocatesNothingPerMessage()
    {
        await using var gateway = await InProcessPeer.GatewayAsync(outbound: false);
        await AssertDeliveryAllocatesNothingAsync(gateway, $"RMSG $G {Subject} 16", "gateway → client");
    }

    private sealed partial class InProcessPeer
    {
        /// <summary>A server of cluster "A" with one gateway connection (ours dialed, or theirs accepted) to a peer of cluster "B".</summary>
        public static async Task<InProcessPeer> GatewayAsync(bool outbound)
        {
            var options = new ModularOptions { Gateway = new GatewayOptions { Name = "A", Host = "127.0.0.1", Port = 7222 } };
            var server = new NatsServer(options, NullLoggerFactory.Instance);
            var manager = new GatewayManager(server, options.Gateway);
            var peer = new ScriptedPeer(new PipeConnection());
            var connection = new GatewayConnection(manager, peer.Connection, 1, outbound ? new RemoteGateway("B", [], isImplicit: false) : null, url: null, NullLogger.Instance);
            var gateway = new InProcessPeer(server, peer, connection);
            if (!outbound)
            {
                peer.Write("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"PEER\",\"gateway\":\"B\"}\r\n");
            }

            peer.Write("INFO {\"server_id\":\"PEER\",\"server_name\":\"peer\",\"gateway\":\"B\",\"headers\":true,\"gateway_nrp\":true,\"gateway_iom\":true}\r\n");
            await gateway.WaitUntilAsync(() => connection.IsRegistered);
            return gateway;
        }
    }
}
