using System.Diagnostics;
using System.IO.Pipelines;
using Modular.Core.Delivery;

namespace Modular.Core.Tests.Delivery;

/// <summary>
/// The stall gate (nats-server's fast-producer stall): a connection past half its max_pending is
/// stalled until its writer drains it below that; a producer that queued to it waits for the drain,
/// at most the stall duration.
/// </summary>
public sealed class StallTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Commit_PastHalfTheLimit_OpensTheGateOnceForTheEpisode()
    {
        var buffer = new OutboundBuffer(maxPending: 1000);

        Append(buffer, 500);
        Assert.Null(StallOf(buffer));

        Append(buffer, 1);
        var gate = StallOf(buffer);
        Assert.NotNull(gate);
        Assert.False(gate.IsCompleted);

        Append(buffer, 100);
        Assert.Same(gate, StallOf(buffer));
    }

    [Fact]
    public async Task DrainAsync_BelowTheThreshold_ReleasesTheGate()
    {
        var buffer = new OutboundBuffer(maxPending: 1000);
        var pipe = new Pipe();
        Append(buffer, 800);
        var gate = StallOf(buffer)!;

        Assert.True(await buffer.DrainAsync(pipe.Writer));

        Assert.True(gate.IsCompletedSuccessfully);
        Assert.Null(StallOf(buffer));
    }

    [Fact]
    public async Task DrainAsync_ABigBurst_PendingFallsChunkByChunkAndReleasesBeforeTheWholeBurstIsRead()
    {
        // 1 MiB queued, the peer reading slowly: the producers are let go once what is left is below
        // half the limit, not only when the last byte of the burst has gone.
        const int burst = 1024 * 1024;
        var buffer = new OutboundBuffer(maxPending: burst + (burst / 2));
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        Append(buffer, burst);
        var gate = StallOf(buffer)!;
        var drain = buffer.DrainAsync(pipe.Writer).AsTask();

        var read = 0L;
        while (!gate.IsCompleted)
        {
            var result = await pipe.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
            read += result.Buffer.Length;
            pipe.Reader.AdvanceTo(result.Buffer.End);
            Assert.True(read < burst, "the gate stayed shut until the whole burst was read");
        }

        Assert.True(buffer.PendingBytes <= (burst + (burst / 2)) / 2);
        await ReadRestAsync(pipe.Reader, burst - read);
        Assert.True(await drain.WaitAsync(Timeout));
        Assert.Equal(0, buffer.PendingBytes);
    }

    [Fact]
    public void ReleaseStallLocked_ClosingConnection_LetsProducersGo()
    {
        var buffer = new OutboundBuffer(maxPending: 100);
        Append(buffer, 80);
        var gate = StallOf(buffer)!;

        buffer.Release();

        Assert.True(gate.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitForStalledAsync_ConsumerDrains_ProducerGoesOnAtOnceAndTheStallIsCounted()
    {
        var stalls = 0;
        var batch = new FlushBatch(() => stalls++);
        var consumer = new OutboundBuffer(maxPending: 1000);
        Append(consumer, 900);
        lock (consumer.Gate)
        {
            batch.NoteStalled(consumer);
        }

        Assert.True(batch.HasStall);
        var clock = Stopwatch.StartNew();
        var waiting = batch.WaitForStalledAsync().AsTask();
        Assert.True(await DrainsAsync(consumer));
        await waiting.WaitAsync(Timeout);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the producer waited {clock.Elapsed} after the drain");
        Assert.False(batch.HasStall);
        Assert.Equal(1, stalls);
        Assert.Equal(1, consumer.Stalls);
    }

    [Fact]
    public async Task WaitForStalledAsync_ConsumerNeverDrains_ProducerGoesOnAfterTheStallDuration()
    {
        var batch = new FlushBatch();
        var consumer = new OutboundBuffer(maxPending: 1000);
        Append(consumer, 600); // just past half: the shortest stall, 100 ms
        lock (consumer.Gate)
        {
            batch.NoteStalled(consumer);
        }

        var clock = Stopwatch.StartNew();
        await batch.WaitForStalledAsync().AsTask().WaitAsync(Timeout);

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(5));
        Assert.NotNull(StallOf(consumer));
    }

    [Fact]
    public async Task WaitForStalledAsync_WithACap_WaitsNoLongerThanTheCap()
    {
        var batch = new FlushBatch(cap: TimeSpan.FromMilliseconds(50));
        var consumer = new OutboundBuffer(maxPending: 1000);
        Append(consumer, 1000); // at the limit: a one-second stall
        lock (consumer.Gate)
        {
            batch.NoteStalled(consumer);
        }

        var clock = Stopwatch.StartNew();
        await batch.WaitForStalledAsync().AsTask().WaitAsync(Timeout);

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(900), $"waited {clock.Elapsed} despite a 50 ms cap");
    }

    [Fact]
    public async Task WaitForStalledAsync_OncePerEpisode_AConsumerWhoseWriteIsStuckIsNotWaitedForAgainUntilItDrains()
    {
        var batch = new FlushBatch(cap: TimeSpan.FromMilliseconds(20), oncePerEpisode: true);
        var consumer = new OutboundBuffer(maxPending: 1000);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 100, resumeWriterThreshold: 50, useSynchronizationContext: false));
        Append(consumer, 600);
        var drain = consumer.DrainAsync(pipe.Writer).AsTask();

        // Nobody reads: the write is stuck. A wait that runs out before it has been stuck long is not enough.
        Note(batch, consumer);
        await batch.WaitForStalledAsync().AsTask().WaitAsync(Timeout);
        Note(batch, consumer);
        Assert.True(batch.HasStall);

        // Stuck for long, as after one long pause of the whole process: still waited for, until
        // enough waits in a row have seen no write complete.
        await WaitUntil(() => Environment.TickCount64 - consumer.FlushStartedTicks > 600);
        for (var wait = 2; wait < FlushBatch.QuietWaitsBeforeGivingUp; wait++)
        {
            await batch.WaitForStalledAsync().AsTask().WaitAsync(Timeout);
            Note(batch, consumer);
            Assert.True(batch.HasStall, $"gave up after {wait} quiet waits");
        }

        await batch.WaitForStalledAsync().AsTask().WaitAsync(Timeout);
        Note(batch, consumer);
        Assert.False(batch.HasStall);

        // It drained, then fell behind again: a new episode is waited for.
        await ReadRestAsync(pipe.Reader, 600);
        Assert.True(await drain.WaitAsync(Timeout));
        Append(consumer, 600);
        Note(batch, consumer);
        Assert.True(batch.HasStall);
    }

    [Fact]
    public async Task WaitForStalledAsync_OncePerEpisode_AConsumerMakingProgressIsWaitedForAgain()
    {
        var batch = new FlushBatch(cap: TimeSpan.FromMilliseconds(300), oncePerEpisode: true);
        var consumer = new OutboundBuffer(maxPending: 1024 * 1024);
        Append(consumer, 900 * 1024);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var drain = consumer.DrainAsync(pipe.Writer).AsTask();
        Note(batch, consumer);

        // The peer reads one chunk while the producer waits: still above half the limit, but alive.
        var waiting = batch.WaitForStalledAsync().AsTask();
        await ReadRestAsync(pipe.Reader, 256 * 1024);
        await waiting.WaitAsync(Timeout);
        Assert.NotNull(StallOf(consumer));
        Note(batch, consumer);
        Assert.True(batch.HasStall);

        await ReadRestAsync(pipe.Reader, (900 - 256) * 1024);
        Assert.True(await drain.WaitAsync(Timeout));
    }

    [Fact]
    public async Task WaitForStalledAsync_EveryMessage_AClientReaderWaitsAgainForTheSameEpisode()
    {
        var batch = new FlushBatch(cap: TimeSpan.FromMilliseconds(20));
        var consumer = new OutboundBuffer(maxPending: 1000);
        Append(consumer, 600);
        lock (consumer.Gate)
        {
            batch.NoteStalled(consumer);
        }

        await batch.WaitForStalledAsync().AsTask().WaitAsync(Timeout);
        lock (consumer.Gate)
        {
            batch.NoteStalled(consumer);
        }

        Assert.True(batch.HasStall);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(500, 100)]
    [InlineData(549, 100)]
    [InlineData(550, 200)]
    [InlineData(750, 600)]
    [InlineData(999, 1000)]
    [InlineData(1000, 1000)]
    [InlineData(5000, 1000)]
    public void StallDuration_GrowsFromTheThresholdToTheLimit(long pending, int expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), FlushBatch.StallDuration(pending, maxPending: 1000));
    }

    private static void Note(FlushBatch batch, OutboundBuffer consumer)
    {
        lock (consumer.Gate)
        {
            batch.NoteStalled(consumer);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(10);
        }
    }

    private static Task<bool> DrainsAsync(OutboundBuffer buffer) => buffer.DrainAsync(new Pipe().Writer).AsTask();

    private static Task? StallOf(OutboundBuffer buffer)
    {
        lock (buffer.Gate)
        {
            return buffer.StallLocked;
        }
    }

    private static void Append(OutboundBuffer buffer, int length)
    {
        lock (buffer.Gate)
        {
            Assert.True(buffer.TryReserve(length, out var destination));
            destination.Fill((byte)'x');
            buffer.Commit(length);
        }
    }

    private static async Task ReadRestAsync(PipeReader reader, long remaining)
    {
        while (remaining > 0)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            remaining -= result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
        }
    }
}
