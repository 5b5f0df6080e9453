using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Leafnodes;
using Modular.Core.Server;
using Modular.Core.Tests.Clients;

namespace Modular.Core.Tests.Routes;

// The leaf node half of the hot path: a client publish sent as LMSG to a leaf node this server is
// the hub of, and an LMSG from it delivered to a local subscriber, allocate nothing per message.
public partial class RouteAllocationTests
{
    [Fact]
    public async Task ClientPublishToLeaf_SteadyState_AllocatesNothingPerMessage()
    {
        await using var hub = await InProcessPeer.LeafAsync();
        await AssertPublishAllocatesNothingAsync(hub, $"LS+ {Subject}\r\n", $"PUB {Subject} 16", () => ((LeafConnection)hub.Connection).OutMsgs, "client → leaf");
    }

    [Fact]
    public async Task LeafMessageToClient_SteadyState_AllocatesNothingPerMessage()
    {
        await using var hub = await InProcessPeer.LeafAsync();
        await AssertDeliveryAllocatesNothingAsync(hub, $"LMSG {Subject} 16", "leaf → client");
    }

    private sealed partial class InProcessPeer
    {
        /// <summary>A hub with one accepted leaf connection.</summary>
        public static async Task<InProcessPeer> LeafAsync()
        {
            var options = new ModularOptions { Leafnodes = new LeafnodeOptions() };
            var server = new NatsServer(options, NullLoggerFactory.Instance);
            var manager = new LeafnodeManager(server, options.Leafnodes);
            var peer = new ScriptedPeer(new PipeConnection());
            var leaf = new LeafConnection(manager, peer.Connection, 1, remote: null, url: null, NullLogger.Instance);
            var hub = new InProcessPeer(server, peer, leaf);
            peer.Write("CONNECT {\"server_id\":\"LEAF\",\"name\":\"leaf\",\"headers\":true}\r\n");
            await hub.WaitUntilAsync(() => leaf.IsRegistered);
            return hub;
        }
    }
}
