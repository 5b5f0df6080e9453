using System.Text;
using Modular.Core.Delivery;

namespace Modular.Core.Tests.Delivery;

/// <summary>
/// The hand-off of a connection's output: whoever queues bytes and finds nobody writing becomes the
/// writer; a write that must wait finishes in the background and picks up what was queued meanwhile;
/// never two writers at once; closing flushes (or not) exactly once.
/// </summary>
public sealed class ConnectionOutputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task SendNow_NobodyWriting_TheCallerSendsAtOnce()
    {
        var connection = new PipeEnds();
        var output = new ConnectionOutput(connection, maxPending: 1 << 20, onWriteFailed: () => { });

        Assert.True(output.SendNow("PING\r\n"u8));

        Assert.Equal("PING\r\n", await connection.ReadAsync(6, Timeout));
        Assert.True(await output.WhenIdleAsync(Timeout));
    }

    [Fact]
    public async Task SendNow_WhileAWriteWaitsForThePeer_ReturnsAtOnceAndTheWaitingWriterSendsItAfter()
    {
        var connection = new PipeEnds(pauseWriterThreshold: 64);
        var output = new ConnectionOutput(connection, maxPending: 1 << 20, onWriteFailed: () => { });
        var big = new string('x', 200);

        Assert.True(output.SendNow(Encoding.ASCII.GetBytes(big)));
        await WaitUntil(() => output.Buffer.FlushStartedTicks != 0);

        // The peer reads nothing: the write is parked, and a second producer does not wait on it.
        var second = Task.Run(() => output.SendNow("PONG\r\n"u8));
        Assert.True(await second.WaitAsync(Timeout));
        Assert.True(output.Buffer.HasQueued);

        Assert.Equal(big + "PONG\r\n", await connection.ReadAsync(206, Timeout));
        Assert.True(await output.WhenIdleAsync(Timeout));
        Assert.Equal(0, connection.Writes.Overlaps);
    }

    [Fact]
    public async Task SendNow_ManyThreads_OneWriterAtATimeAndEveryThreadsBytesInOrder()
    {
        const int threads = 4;
        const int linesEach = 1_000;
        var connection = new PipeEnds(pauseWriterThreshold: 2048);
        var output = new ConnectionOutput(connection, maxPending: long.MaxValue, onWriteFailed: () => { });
        var expectedBytes = Enumerable.Range(0, threads).Sum(t => Enumerable.Range(0, linesEach).Sum(i => $"{t}:{i}\n".Length));

        var received = connection.ReadAsync(expectedBytes, Timeout);
        var producers = Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < linesEach; i++)
            {
                Assert.True(output.SendNow(Encoding.ASCII.GetBytes($"{t}:{i}\n")));
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(Timeout);
        var text = await received;

        Assert.Equal(0, connection.Writes.Overlaps);
        var next = new int[threads];
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':');
            var thread = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[thread]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.All(next, count => Assert.Equal(linesEach, count));
    }

    [Fact]
    public async Task QueueFlushLocked_InAReadBatch_NothingIsSentUntilTheBatchEndsThenAllOfIt()
    {
        var connection = new PipeEnds();
        var output = new ConnectionOutput(connection, maxPending: 1 << 20, onWriteFailed: () => { });
        var batch = new FlushBatch();

        // A publisher's read batch: bytes committed under the gate, the output queued for the end of the batch.
        lock (output.Gate)
        {
            Commit(output, "MSG a 1 0\r\n\r\n");
            output.QueueFlushLocked(batch);
            Commit(output, "MSG b 1 0\r\n\r\n");
            output.QueueFlushLocked(batch);
        }

        Assert.True(output.Buffer.HasQueued);
        Assert.Equal(0, connection.Writes.Flushes);
        batch.FlushAll();

        Assert.Equal("MSG a 1 0\r\n\r\nMSG b 1 0\r\n\r\n", await connection.ReadAsync(26, Timeout));

        // The flush cleared the mark: the next batch queues the output again, and its bytes go out too.
        lock (output.Gate)
        {
            Commit(output, "MSG c 1 0\r\n\r\n");
            output.QueueFlushLocked(batch);
        }

        batch.FlushAll();
        Assert.Equal("MSG c 1 0\r\n\r\n", await connection.ReadAsync(13, Timeout));
        Assert.Equal(0, connection.Writes.Overlaps);
    }

    [Fact]
    public void SendNow_PastMaxPending_Refuses()
    {
        var connection = new PipeEnds(pauseWriterThreshold: 16);
        var output = new ConnectionOutput(connection, maxPending: 100, onWriteFailed: () => { });

        Assert.True(output.SendNow(new byte[90]));
        Assert.False(output.SendNow(new byte[20]));
    }

    [Fact]
    public async Task TryBeginClose_FlushFirst_SendsWhatWasQueuedThenShutsTheSendSideOnce()
    {
        var connection = new PipeEnds(pauseWriterThreshold: 64);
        var output = new ConnectionOutput(connection, maxPending: 1 << 20, onWriteFailed: () => { });
        var error = "-ERR 'Slow Consumer'\r\n" + new string('x', 100);
        output.SendNow(Encoding.ASCII.GetBytes(error));

        Assert.True(output.TryBeginClose(flushFirst: true));
        Assert.False(output.TryBeginClose(flushFirst: false));
        Assert.False(output.SendNow("PING\r\n"u8));

        Assert.Equal(error, await connection.ReadToEndAsync(Timeout));
        await output.Finished.WaitAsync(Timeout);
        Assert.Equal(1, connection.SendShutdowns);
        Assert.Equal(0, connection.Aborts);
    }

    [Fact]
    public async Task TryBeginClose_WithoutFlush_AbortsAtOnce()
    {
        var connection = new PipeEnds();
        var output = new ConnectionOutput(connection, maxPending: 1 << 20, onWriteFailed: () => { });

        Assert.True(output.TryBeginClose(flushFirst: false));

        await output.Finished.WaitAsync(Timeout);
        Assert.True(output.IsClosing);
        Assert.True(connection.Aborts >= 1);
        Assert.Equal(0, connection.SendShutdowns);
        Assert.False(await output.WhenIdleAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Write_PeerGone_ReportsTheFailureOnceAndCloses()
    {
        var connection = new PipeEnds();
        var failures = 0;
        var output = new ConnectionOutput(connection, maxPending: 1 << 20, onWriteFailed: () => Interlocked.Increment(ref failures));
        connection.Peer.Complete();

        output.SendNow("PING\r\n"u8);
        await output.Finished.WaitAsync(Timeout);
        output.SendNow("PING\r\n"u8);

        Assert.Equal(1, Volatile.Read(ref failures));
        Assert.True(output.IsClosing);
        Assert.True(connection.Aborts >= 1);
    }

    private static void Commit(ConnectionOutput output, string text)
    {
        Assert.True(output.Buffer.TryReserve(text.Length, out var destination));
        Encoding.ASCII.GetBytes(text, destination);
        output.Buffer.Commit(text.Length);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(5);
        }
    }
}
