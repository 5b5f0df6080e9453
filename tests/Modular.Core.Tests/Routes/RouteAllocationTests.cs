using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Clients;
using Modular.Core.Config;
using Modular.Core.Routes;
using Modular.Core.Server;
using Modular.Core.Tests.Clients;

namespace Modular.Core.Tests.Routes;

/// <summary>
/// The route half of the hot path: a client publish forwarded as RMSG, and an RMSG delivered to a
/// local subscriber, allocate nothing per message once warm. Everything runs in process over
/// in-memory pipes whose reader continuations run inline, so the per-thread allocation counter
/// sees parse, match, encode and queue.
/// </summary>
public partial class RouteAllocationTests
{
    private const string Subject = "bench.subject";

    [Fact]
    public async Task ClientPublishToRoute_SteadyState_AllocatesNothingPerMessage()
    {
        await using var cluster = await InProcessPeer.RouteAsync();
        await AssertPublishAllocatesNothingAsync(cluster, $"RS+ $G {Subject}\r\n", $"PUB {Subject} 16", () => cluster.Peer.Count("RMSG"), "client → route");
    }

    [Fact]
    public async Task RoutedMessageToClient_SteadyState_AllocatesNothingPerMessage()
    {
        await using var cluster = await InProcessPeer.RouteAsync();
        await AssertDeliveryAllocatesNothingAsync(cluster, $"RMSG $G {Subject} 16", "route → client");
    }

    /// <summary>
    /// The peer announces interest (<paramref name="interest"/>), a local client publishes
    /// <paramref name="publish"/> with a 16-byte payload, and the path to the peer (counted by
    /// <paramref name="forwarded"/>) must allocate nothing per message.
    /// </summary>
    private static async Task AssertPublishAllocatesNothingAsync(InProcessPeer fixture, string interest, string publish, Func<long> forwarded, string path, int subscriptionsAfterInterest = 1)
    {
        fixture.Peer.Write(interest);
        await fixture.WaitUntilAsync(() => fixture.Server.Accounts.Global.Subscriptions.Count == subscriptionsAfterInterest);

        var publisher = new PipeConnection();
        var client = new ClientConnection(fixture.Server, publisher, 100, NullLogger.Instance);
        var run = client.RunAsync();
        await publisher.ToServer.WriteAsync(Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"));
        var probe = DeliveryThreadProbe.SubscribeIn(fixture.Server.Accounts.Global, Subject);

        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"{publish}\r\n0123456789abcdef\r\n", 100)));
        var allocated = await MeasureAsync(batch, publisher.ToServer, forwarded, probe);
        Assert.True(allocated == 0, $"{path} path allocated {allocated} bytes for 20000 messages");

        await publisher.DisposeAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// A local client subscribes, the peer sends <paramref name="frame"/> with a 16-byte payload,
    /// and the path to the client must allocate nothing per message.
    /// </summary>
    private static async Task AssertDeliveryAllocatesNothingAsync(InProcessPeer fixture, string frame, string path)
    {
        var subscriberPipe = new PipeConnection();
        var subscriber = new ClientConnection(fixture.Server, subscriberPipe, 100, NullLogger.Instance);
        var run = subscriber.RunAsync();
        var received = new FrameCounter(subscriberPipe.FromServer);
        await subscriberPipe.ToServer.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {{\"verbose\":false}}\r\nSUB {Subject} 1\r\n"));
        await fixture.WaitUntilAsync(() => fixture.Server.Accounts.Global.Subscriptions.Count == 1);

        var probe = DeliveryThreadProbe.SubscribeIn(fixture.Server.Accounts.Global, Subject);

        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"{frame}\r\n0123456789abcdef\r\n", 100)));
        var allocated = await MeasureAsync(batch, fixture.Peer.ToServer, () => received.Count, probe);
        Assert.True(allocated == 0, $"{path} path allocated {allocated} bytes for 20000 messages");

        await subscriberPipe.DisposeAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        received.Stop();
    }

    /// <summary>
    /// Warms up, then sums what 200 batches of 100 messages allocate on this thread, and checks
    /// through <paramref name="probe"/> that this thread is the one that routed all 20000.
    /// </summary>
    private static async Task<long> MeasureAsync(byte[] batch, PipeWriter writer, Func<long> delivered, DeliveryThreadProbe probe)
    {
        var expected = delivered();
        for (var i = 0; i < 300; i++)
        {
            await writer.WriteAsync(batch);
            expected += 100;
            SpinUntil(() => delivered() >= expected);
        }

        var allocated = 0L;
        for (var i = 0; i < 200; i++)
        {
            probe.MeasureThisThread();
            var before = GC.GetAllocatedBytesForCurrentThread();
            await writer.WriteAsync(batch);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            expected += 100;
            SpinUntil(() => delivered() >= expected);
        }

        Assert.Equal(200 * 100, probe.OnMeasuredThread);
        return allocated;
    }

    private static void SpinUntil(Func<bool> condition) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(20)), "timed out waiting for delivery");

    /// <summary>
    /// Counts MSG and RMSG frames in what a connection sent. It runs inline on the writing thread
    /// (the pipes use inline schedulers), so it must not allocate either.
    /// </summary>
    private sealed class FrameCounter
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly byte[] _window = new byte[5];
        private long _msg;
        private long _rmsg;

        public FrameCounter(PipeReader reader)
        {
            _window[0] = (byte)'\n';
            _ = Task.Run(async () =>
            {
                try
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        // No token: this may run inline on the measured thread (see MeasureAsync).
                        var result = await reader.ReadAsync();
                        foreach (var segment in result.Buffer)
                        {
                            Scan(segment.Span);
                        }

                        reader.AdvanceTo(result.Buffer.End);
                        if (result.IsCompleted)
                        {
                            return;
                        }
                    }
                }
                catch (InvalidOperationException)
                {
                    // the pipe was completed when the connection was disposed
                }
            });
        }

        public long Count => Interlocked.Read(ref _msg);

        public long CountOf(string verb) => verb == "RMSG" ? Interlocked.Read(ref _rmsg) : Count;

        public void Stop() => _stop.Cancel();

        // Frames start right after a LF: look at the four bytes following each one.
        private void Scan(ReadOnlySpan<byte> span)
        {
            foreach (var b in span)
            {
                _window[0] = _window[1];
                _window[1] = _window[2];
                _window[2] = _window[3];
                _window[3] = _window[4];
                _window[4] = b;
                if (_window[0] != (byte)'\n')
                {
                    continue;
                }

                var verb = _window.AsSpan(1, 4);
                if (verb.SequenceEqual("MSG "u8))
                {
                    Interlocked.Increment(ref _msg);
                }
                else if (verb.SequenceEqual("RMSG"u8))
                {
                    Interlocked.Increment(ref _rmsg);
                }
            }
        }
    }

    /// <summary>
    /// A server with one peer connection (a route, a leaf, a gateway) to a scripted peer over pipes.
    /// The factories for leafs and gateways are in this class's other files.
    /// </summary>
    private sealed partial class InProcessPeer : IAsyncDisposable
    {
        private readonly Task _run;

        private InProcessPeer(NatsServer server, ScriptedPeer peer, PeerSessions.PeerConnection connection)
        {
            Server = server;
            Peer = peer;
            Connection = connection;
            _run = connection.RunAsync();
        }

        public NatsServer Server { get; }

        public ScriptedPeer Peer { get; }

        public PeerSessions.PeerConnection Connection { get; }

        /// <summary>An accepted route in cluster c1.</summary>
        public static async Task<InProcessPeer> RouteAsync()
        {
            var options = new ModularOptions { Cluster = new ClusterOptions { Name = "c1", PoolSize = -1 } };
            var server = new NatsServer(options, NullLoggerFactory.Instance);
            var manager = new RouteManager(server, options.Cluster);
            var peer = new ScriptedPeer(new PipeConnection());
            var cluster = new InProcessPeer(server, peer, new RouteConnection(manager, peer.Connection, 1, didSolicit: false, dialTarget: null, NullLogger.Instance));
            peer.Write("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"headers\":true,\"name\":\"PEER\",\"cluster\":\"c1\"}\r\n");
            peer.Write("INFO {\"server_id\":\"PEER\",\"server_name\":\"peer\",\"cluster\":\"c1\",\"headers\":true,\"port\":1,\"host\":\"127.0.0.1\"}\r\n");
            await cluster.WaitUntilAsync(() => manager.RouteCount == 1);
            return cluster;
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
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private sealed class ScriptedPeer
    {
        public ScriptedPeer(PipeConnection connection)
        {
            Connection = connection;
            Counter = new FrameCounter(connection.FromServer);
        }

        public PipeConnection Connection { get; }

        public FrameCounter Counter { get; }

        public PipeWriter ToServer => Connection.ToServer;

        public void Write(string text) => Connection.ToServer.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask().GetAwaiter().GetResult();

        public long Count(string verb) => Counter.CountOf(verb);
    }
}
