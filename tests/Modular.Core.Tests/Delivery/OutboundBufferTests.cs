using System.IO.Pipelines;
using System.Text;
using Modular.Core.Delivery;

namespace Modular.Core.Tests.Delivery;

/// <summary>
/// The queue of one connection: producers append under the gate, the single writer swaps the filled
/// buffer out and writes it; bytes in flight still count against the pending limit.
/// </summary>
public sealed class OutboundBufferTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryReserve_PastMaxPending_RefusesAndQueuesNothing()
    {
        var buffer = new OutboundBuffer(maxPending: 100);

        Assert.True(Append(buffer, new string('a', 60)));
        Assert.False(Append(buffer, new string('b', 41)));
        Assert.True(Append(buffer, new string('c', 40)));

        Assert.Equal(100, buffer.PendingBytes);
    }

    [Fact]
    public async Task DrainAsync_QueuedBytes_WritesThemInOrderAndEmptiesTheQueue()
    {
        var buffer = new OutboundBuffer(maxPending: 1 << 20);
        var pipe = new Pipe();
        Append(buffer, "PING\r\n");
        Append(buffer, "PONG\r\n");

        Assert.True(await buffer.DrainAsync(pipe.Writer));

        Assert.False(buffer.HasQueued);
        Assert.Equal(0, buffer.PendingBytes);
        Assert.Equal(0, buffer.FlushStartedTicks);
        Assert.Equal("PING\r\nPONG\r\n", await ReadAsync(pipe.Reader, 12));
    }

    [Fact]
    public async Task DrainAsync_WhileTheFlushWaits_ProducersStillAppendAndInFlightBytesCountAgainstTheLimit()
    {
        var buffer = new OutboundBuffer(maxPending: 200);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, useSynchronizationContext: false));
        var first = new string('x', 150);
        Append(buffer, first);

        // The peer reads nothing yet: the flush of 150 bytes waits.
        var drain = buffer.DrainAsync(pipe.Writer).AsTask();
        await WaitUntil(() => buffer.FlushStartedTicks != 0);
        Assert.False(drain.IsCompleted);
        Assert.Equal(150, buffer.PendingBytes);

        // A producer is not blocked by the waiting flush, but the limit counts the bytes in flight.
        Assert.True(Append(buffer, "after\r\n"));
        Assert.False(Append(buffer, new string('y', 44)));
        Assert.Equal(157, buffer.PendingBytes);

        // Once the peer reads, the same drain also writes what was appended meanwhile.
        var received = ReadAsync(pipe.Reader, 157);
        Assert.True(await drain.WaitAsync(Timeout));
        Assert.Equal(first + "after\r\n", await received.WaitAsync(Timeout));
        Assert.Equal(0, buffer.PendingBytes);
    }

    [Fact]
    public async Task DrainAsync_PeerGone_ReturnsFalse()
    {
        var buffer = new OutboundBuffer(maxPending: 1 << 20);
        var pipe = new Pipe();
        pipe.Reader.Complete();
        Append(buffer, "PING\r\n");

        Assert.False(await buffer.DrainAsync(pipe.Writer));
        Assert.Equal(0, buffer.PendingBytes);
    }

    [Fact]
    public async Task DrainAsync_ManyProducers_EveryLineArrivesOnceAndEachProducersLinesInOrder()
    {
        const int producers = 4;
        const int linesEach = 2_000;
        var buffer = new OutboundBuffer(maxPending: long.MaxValue);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4096, resumeWriterThreshold: 2048, useSynchronizationContext: false));
        var done = 0;

        // One writer loop, as ConnectionOutput runs it: drain until the producers finished and nothing is left.
        var writer = Task.Run(async () =>
        {
            while (Volatile.Read(ref done) < producers || buffer.HasQueued)
            {
                Assert.True(await buffer.DrainAsync(pipe.Writer));
                await Task.Yield();
            }

            await pipe.Writer.CompleteAsync();
        });
        var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < linesEach; i++)
            {
                Assert.True(Append(buffer, $"{p}:{i}\n"));
            }

            Interlocked.Increment(ref done);
        })).ToArray();
        var text = await ReadAsync(pipe.Reader, int.MaxValue);
        await Task.WhenAll(tasks).WaitAsync(Timeout);
        await writer.WaitAsync(Timeout);

        var next = new int[producers];
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':');
            var producer = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[producer]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.All(next, count => Assert.Equal(linesEach, count));
    }

    [Fact]
    public async Task DrainAsync_StreamBackedWriter_HandsTheQueuedBytesToTheStreamInOneWriteWithoutAllocating()
    {
        // Segments of 4 KiB: had the drain copied its 10 000 bytes into the writer first (Write +
        // FlushAsync), the stream would have seen them as three writes, one per segment.
        var stream = new RecordingStream();
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
        var buffer = new OutboundBuffer(maxPending: 1 << 20);
        var line = new string('m', 98) + "\r\n";
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                Append(buffer, line);
            }

            Assert.True(await buffer.DrainAsync(output));
        }

        Assert.Equal(50, stream.Writes);
        Assert.Equal(10_000, stream.LargestWrite);
        Assert.Equal(500_000, stream.Length);

        var bytes = Encoding.ASCII.GetBytes(line);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 200; round++)
        {
            lock (buffer.Gate)
            {
                for (var i = 0; i < 100; i++)
                {
                    Assert.True(buffer.TryReserve(bytes.Length, out var destination));
                    bytes.CopyTo(destination);
                    buffer.Commit(bytes.Length);
                }
            }

            // The stream completes every write at once, so the whole drain runs on this thread.
            Assert.True(buffer.DrainAsync(output).IsCompletedSuccessfully);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"200 drains of 10 000 bytes allocated {allocated} bytes");
        Assert.Equal(250, stream.Writes);
    }

    /// <summary>A stream that completes every write at once and remembers how they came.</summary>
    private sealed class RecordingStream : Stream
    {
        private long _length;

        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Reserve and commit under the gate, as producers do.</summary>
    private static bool Append(OutboundBuffer buffer, string text)
    {
        lock (buffer.Gate)
        {
            if (!buffer.TryReserve(text.Length, out var destination))
            {
                return false;
            }

            Encoding.ASCII.GetBytes(text, destination);
            buffer.Commit(text.Length);
            return true;
        }
    }

    private static async Task<string> ReadAsync(PipeReader reader, int byteCount)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        var text = new StringBuilder();
        while (text.Length < byteCount)
        {
            var result = await reader.ReadAsync(deadline.Token);
            foreach (var segment in result.Buffer)
            {
                text.Append(Encoding.ASCII.GetString(segment.Span));
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        return text.ToString();
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
