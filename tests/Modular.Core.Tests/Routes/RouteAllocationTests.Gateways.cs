using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Clients;
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
        await using var gateway = await InProcessGateway.StartAsync(outbound: true);
        gateway.Peer.Write($"RS+ $G {Subject}\r\n");
        await gateway.WaitUntilAsync(() => gateway.Server.Accounts.Global.Subscriptions.Count == 2); // the interest and the _GR_ reply route

        var publisher = new PipeConnection();
        var client = new ClientConnection(gateway.Server, publisher, 100, NullLogger.Instance);
        var run = client.RunAsync();
        await publisher.ToServer.WriteAsync(Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"));
        var probe = DeliveryThreadProbe.SubscribeIn(gateway.Server.Accounts.Global, Subject);

        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"PUB {Subject} _INBOX.abc.1 16\r\n0123456789abcdef\r\n", 100)));
        var allocated = await MeasureAsync(batch, publisher.ToServer, () => gateway.Peer.Count("RMSG"), probe);
        Assert.True(allocated == 0, $"client → gateway path allocated {allocated} bytes for 20000 messages");

        await publisher.DisposeAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task GatewayMessageToClient_SteadyState_AllocatesNothingPerMessage()
    {
        await using var gateway = await InProcessGateway.StartAsync(outbound: false);
        var subscriberPipe = new PipeConnection();
        var subscriber = new ClientConnection(gateway.Server, subscriberPipe, 100, NullLogger.Instance);
        var run = subscriber.RunAsync();
        var received = new FrameCounter(subscriberPipe.FromServer);
        await subscriberPipe.ToServer.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {{\"verbose\":false}}\r\nSUB {Subject} 1\r\n"));
        await gateway.WaitUntilAsync(() => gateway.Server.Accounts.Global.Subscriptions.Count == 1);

        var probe = DeliveryThreadProbe.SubscribeIn(gateway.Server.Accounts.Global, Subject);

        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"RMSG $G {Subject} 16\r\n0123456789abcdef\r\n", 100)));
        var allocated = await MeasureAsync(batch, gateway.Peer.ToServer, () => received.Count, probe);
        Assert.True(allocated == 0, $"gateway → client path allocated {allocated} bytes for 20000 messages");

        await subscriberPipe.DisposeAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        received.Stop();
    }

    /// <summary>A server with gateways and one gateway connection (ours dialed, or theirs accepted) to a scripted peer of cluster "B".</summary>
    private sealed class InProcessGateway : IAsyncDisposable
    {
        private Task? _run;

        private InProcessGateway(NatsServer server, ScriptedPeer peer)
        {
            Server = server;
            Peer = peer;
        }

        public NatsServer Server { get; }

        public ScriptedPeer Peer { get; }

        public static async Task<InProcessGateway> StartAsync(bool outbound)
        {
            var options = new ModularOptions { Gateway = new GatewayOptions { Name = "A", Host = "127.0.0.1", Port = 7222 } };
            var server = new NatsServer(options, NullLoggerFactory.Instance);
            var manager = new GatewayManager(server, options.Gateway);
            var peer = new ScriptedPeer(new PipeConnection());
            var gateway = new InProcessGateway(server, peer);
            var connection = new GatewayConnection(manager, peer.Connection, 1, outbound ? new RemoteGateway("B", [], isImplicit: false) : null, url: null, NullLogger.Instance);
            gateway._run = connection.RunAsync();
            if (!outbound)
            {
                peer.Write("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"PEER\",\"gateway\":\"B\"}\r\n");
            }

            peer.Write("INFO {\"server_id\":\"PEER\",\"server_name\":\"peer\",\"gateway\":\"B\",\"headers\":true,\"gateway_nrp\":true,\"gateway_iom\":true}\r\n");
            await gateway.WaitUntilAsync(() => connection.IsRegistered);
            return gateway;
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
