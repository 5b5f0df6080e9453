using System.IO.Pipelines;
using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Clients;
using Modular.Core.Config;
using Modular.Core.Server;

namespace Modular.Core.Tests.Clients;

public class PublishAllocationTests
{
    [Fact]
    public async Task PublishToSubscriber_SteadyState_AllocatesNothingPerMessageOnThePublishPath()
    {
        var server = new NatsServer(new ModularOptions(), NullLoggerFactory.Instance);
        var subscriberConnection = new PipeConnection();
        var publisherConnection = new PipeConnection();
        var subscriber = new ClientConnection(server, subscriberConnection, 1, NullLogger.Instance);
        var publisher = new ClientConnection(server, publisherConnection, 2, NullLogger.Instance);
        var subscriberRun = subscriber.RunAsync();
        var publisherRun = publisher.RunAsync();

        var received = 0L;
        var drainTask = Task.Run(async () =>
        {
            // Count MSG frames the subscriber's writer produced, so the test knows delivery happened.
            // No cancellation token: this loop may run inline on the measured thread, and a token
            // registration per read would be counted against the server.
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await subscriberConnection.FromServer.ReadAsync();
                }
                catch (InvalidOperationException)
                {
                    break; // the pipe was completed by the dispose below
                }

                foreach (var segment in result.Buffer)
                {
                    received += CountOf(segment.Span, (byte)'M');
                }

                subscriberConnection.FromServer.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        });

        await Send(subscriberConnection, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB bench.subject 1\r\n");
        await Send(publisherConnection, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n");
        var probe = DeliveryThreadProbe.SubscribeIn(server.Accounts.Global, "bench.subject");

        // 100 publishes of 16 bytes in one write, like a client's coalesced batch.
        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("PUB bench.subject 16\r\n0123456789abcdef\r\n", 100)));

        // Warm up: JIT, tiering, the match cache, pooled buffers. Each batch is let through before
        // the next, so the subscriber's buffer stays at its steady size instead of growing with a backlog.
        var expected = 0L;
        for (var i = 0; i < 300; i++)
        {
            await publisherConnection.ToServer.WriteAsync(batch);
            expected += 100;
            SpinUntil(() => Interlocked.Read(ref received) >= expected);
        }

        const int Batches = 200;
        var allocated = 0L;
        for (var i = 0; i < Batches; i++)
        {
            probe.MeasureThisThread();
            var before = GC.GetAllocatedBytesForCurrentThread();
            await publisherConnection.ToServer.WriteAsync(batch); // parses, matches and delivers inline on this thread
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            expected += 100;
            SpinUntil(() => Interlocked.Read(ref received) >= expected);
        }

        Assert.True(allocated == 0, $"publish path allocated {allocated} bytes for {Batches * 100} messages");

        // The thread whose allocations were read is the one that routed every measured message.
        Assert.Equal(Batches * 100, probe.OnMeasuredThread);

        await publisherConnection.DisposeAsync();
        await subscriberConnection.DisposeAsync();
        await Task.WhenAll(subscriberRun, publisherRun).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static int CountOf(ReadOnlySpan<byte> span, byte value)
    {
        var count = 0;
        foreach (var b in span)
        {
            if (b == value)
            {
                count++;
            }
        }

        return count;
    }

    private static async Task Send(PipeConnection connection, string text) =>
        await connection.ToServer.WriteAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Waits on this thread without allocating, so the measured thread stays the same.</summary>
    private static void SpinUntil(Func<bool> condition)
    {
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(20)), "timed out waiting for delivery");
    }
}
