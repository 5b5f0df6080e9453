using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Clients;
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
        await using var hub = await InProcessLeaf.StartAsync();
        hub.Peer.Write($"LS+ {Subject}\r\n");
        await hub.WaitUntilAsync(() => hub.Server.Accounts.Global.Subscriptions.Count == 1);

        var publisher = new PipeConnection();
        var client = new ClientConnection(hub.Server, publisher, 100, NullLogger.Instance);
        var run = client.RunAsync();
        await publisher.ToServer.WriteAsync(Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"));
        var probe = DeliveryThreadProbe.SubscribeIn(hub.Server.Accounts.Global, Subject);

        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"PUB {Subject} 16\r\n0123456789abcdef\r\n", 100)));
        var allocated = await MeasureAsync(batch, publisher.ToServer, () => hub.Leaf.OutMsgs, probe);
        Assert.True(allocated == 0, $"client → leaf path allocated {allocated} bytes for 20000 messages");

        await publisher.DisposeAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task LeafMessageToClient_SteadyState_AllocatesNothingPerMessage()
    {
        await using var hub = await InProcessLeaf.StartAsync();
        var subscriberPipe = new PipeConnection();
        var subscriber = new ClientConnection(hub.Server, subscriberPipe, 100, NullLogger.Instance);
        var run = subscriber.RunAsync();
        var received = new FrameCounter(subscriberPipe.FromServer);
        await subscriberPipe.ToServer.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {{\"verbose\":false}}\r\nSUB {Subject} 1\r\n"));
        await hub.WaitUntilAsync(() => hub.Server.Accounts.Global.Subscriptions.Count == 1);

        var probe = DeliveryThreadProbe.SubscribeIn(hub.Server.Accounts.Global, Subject);

        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"LMSG {Subject} 16\r\n0123456789abcdef\r\n", 100)));
        var allocated = await MeasureAsync(batch, hub.Peer.ToServer, () => received.Count, probe);
        Assert.True(allocated == 0, $"leaf → client path allocated {allocated} bytes for 20000 messages");

        await subscriberPipe.DisposeAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        received.Stop();
    }

    /// <summary>A server with a leaf node side and one accepted leaf connection from a scripted leaf over pipes.</summary>
    private sealed class InProcessLeaf : IAsyncDisposable
    {
        private Task? _run;

        private InProcessLeaf(NatsServer server, LeafConnection leaf, ScriptedPeer peer)
        {
            Server = server;
            Leaf = leaf;
            Peer = peer;
        }

        public NatsServer Server { get; }

        public LeafConnection Leaf { get; }

        public ScriptedPeer Peer { get; }

        public static async Task<InProcessLeaf> StartAsync()
        {
            var options = new ModularOptions { Leafnodes = new LeafnodeOptions() };
            var server = new NatsServer(options, NullLoggerFactory.Instance);
            var manager = new LeafnodeManager(server, options.Leafnodes);
            var peer = new ScriptedPeer(new PipeConnection());
            var leaf = new LeafConnection(manager, peer.Connection, 1, remote: null, url: null, NullLogger.Instance);
            var hub = new InProcessLeaf(server, leaf, peer) { _run = leaf.RunAsync() };
            peer.Write("CONNECT {\"server_id\":\"LEAF\",\"name\":\"leaf\",\"headers\":true}\r\n");
            await hub.WaitUntilAsync(() => leaf.IsRegistered);
            return hub;
        }

        public async Task WaitUntilAsync(Func<bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, "timed out");
                await Task.Delay(10);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Peer.Counter.Stop();
            await Peer.Connection.DisposeAsync();
            if (_run is not null)
            {
                await _run.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
    }
}
