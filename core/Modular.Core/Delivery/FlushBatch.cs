namespace Modular.Core.Delivery;

/// <summary>
/// The connections one reader queued bytes to during a read batch. Flushing them once at the end
/// of the batch, not once per message, is what coalesces writes. One per reading connection,
/// reused for every batch, so it does not allocate in steady state.
/// <para>
/// It is also where the reader learns that it is a fast producer: when a connection it queued to
/// is stalled (past half its pending limit), the reader stops after the current operation, flushes,
/// and waits for that connection to drain — a bounded time, as nats-server's stalledWait — before
/// it reads on. The consumer is cut off only past max_pending or write_deadline.
/// </para>
/// </summary>
public sealed class FlushBatch
{
    // nats-server's bounds on one stall (client.go stallClientMinDuration / stallClientMaxDuration).
    private static readonly TimeSpan MinStall = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxStall = TimeSpan.FromSeconds(1);

    // How long one write to a stalled connection must have been stuck before it counts as not reading.
    private const long StuckWriteMilliseconds = 500;

    /// <summary>
    /// How many waits in a row must run out with no write to the stalled connection completing
    /// before this reader gives up on it. Counted in waits, not only in wall time, so one long
    /// pause of the whole process (a GC, a descheduled VM) — which stops the reader and the peer
    /// alike — is not mistaken for a peer that stopped reading.
    /// </summary>
    public const int QuietWaitsBeforeGivingUp = 5;

    private readonly List<IFlushTarget> _targets = new(16);
    private readonly Action? _onStall;
    private readonly TimeSpan? _cap;
    private readonly List<Task>? _gaveUpOn;
    private OutboundBuffer? _stalled;
    private OutboundBuffer? _watched; // the stalled connection whose quiet waits are being counted
    private long _watchedChunks;
    private int _quietWaits;

    /// <param name="onStall">Called each time this reader waits for a stalled connection (the server's stall count).</param>
    /// <param name="cap">The longest one wait lasts; null for nats-server's stall duration alone.</param>
    /// <param name="oncePerEpisode">
    /// Stop waiting for a stalled connection, until it drains, once <see cref="QuietWaitsBeforeGivingUp"/>
    /// waits in a row ran out without one write to it completing, while its current write of at
    /// most 256 KiB has been stuck for half a second: it is not reading at all, and waiting for it
    /// again on every message would hold up everything else this reader carries (a route carries
    /// every account) until it is cut. A slow but live connection completes a write now and then,
    /// so it keeps holding the reader back (a short hiccup of its reader, a GC pause, does not count).
    /// </param>
    public FlushBatch(Action? onStall = null, TimeSpan? cap = null, bool oncePerEpisode = false)
    {
        _onStall = onStall;
        _cap = cap;
        _gaveUpOn = oncePerEpisode ? new List<Task>(4) : null;
    }

    /// <summary>True when a connection queued to in this batch is stalled: the reader should wait before reading on.</summary>
    public bool HasStall => _stalled is not null;

    /// <summary>Adds a target; the caller makes sure it adds each target once per batch.</summary>
    public void Add(IFlushTarget target) => _targets.Add(target);

    /// <summary>A connection queued to is past its stall threshold (caller holds its Gate).</summary>
    public void NoteStalled(OutboundBuffer consumer)
    {
        if (_stalled is null && (_gaveUpOn is null || !_gaveUpOn.Contains(consumer.StallLocked!)))
        {
            _stalled = consumer;
        }
    }

    public void FlushAll()
    {
        var targets = _targets;
        for (var i = 0; i < targets.Count; i++)
        {
            targets[i].SignalFlush();
        }

        targets.Clear();
    }

    /// <summary>
    /// Flushes what was queued, then waits until the stalled connection drains below its threshold,
    /// closes, or the stall time runs out: 100 ms, growing with how far past the threshold it is,
    /// up to one second at the limit (nats-server's stallDuration), and never more than the cap
    /// given at construction. Only the read loop that owns this batch calls it.
    /// </summary>
    public async ValueTask WaitForStalledAsync()
    {
        var consumer = _stalled;
        _stalled = null;
        FlushAll();
        if (consumer is null)
        {
            return;
        }

        Task? drained;
        long pending;
        lock (consumer.Gate)
        {
            drained = consumer.StallLocked;
            pending = consumer.PendingBytes;
        }

        if (drained is null)
        {
            return;
        }

        consumer.CountStall();
        _onStall?.Invoke();
        var wait = StallDuration(pending, consumer.MaxPending);
        using var timeout = new CancellationTokenSource();
        var timer = Task.Delay(_cap is { } most && most < wait ? most : wait, timeout.Token);
        if (await Task.WhenAny(drained, timer).ConfigureAwait(false) == drained)
        {
            await timeout.CancelAsync().ConfigureAwait(false);
            _watched = null;
        }
        else if (_gaveUpOn is not null && IsNotReading(consumer))
        {
            _gaveUpOn.RemoveAll(static gate => gate.IsCompleted);
            _gaveUpOn.Add(drained);
            _watched = null;
        }
    }

    /// <summary>After a wait for <paramref name="consumer"/> ran out: has it stopped reading?</summary>
    private bool IsNotReading(OutboundBuffer consumer)
    {
        var chunks = consumer.ChunksWritten;
        if (!ReferenceEquals(consumer, _watched) || chunks != _watchedChunks)
        {
            _watched = consumer;
            _watchedChunks = chunks;
            _quietWaits = 0;
        }

        _quietWaits++;
        return _quietWaits >= QuietWaitsBeforeGivingUp
            && consumer.FlushStartedTicks is var started && started != 0
            && Environment.TickCount64 - started > StuckWriteMilliseconds;
    }

    /// <summary>How long a producer waits for a connection with <paramref name="pending"/> of <paramref name="maxPending"/> bytes queued.</summary>
    public static TimeSpan StallDuration(long pending, long maxPending)
    {
        if (pending >= maxPending)
        {
            return MaxStall;
        }

        var half = maxPending / 2;
        var step = half / 10;
        if (pending <= half || step == 0)
        {
            return MinStall;
        }

        // One more minimum per tenth of the upper half: 100 ms just past the threshold, 1 s near the limit.
        return MinStall * (1 + ((pending - half) / step));
    }
}
