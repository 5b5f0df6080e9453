using System.Buffers;
using System.IO.Pipelines;

namespace Modular.Core.Delivery;

/// <summary>
/// The bytes queued for one connection. Any thread appends under <see cref="Gate"/>; one writer
/// loop per connection swaps the filled buffer out and writes it to the transport, so producers
/// never wait on the socket. Pending bytes (queued plus in flight) are bounded: past the limit
/// the connection is a slow consumer. Buffers come from the shared pool and are recycled.
/// Past half the limit the connection is stalled (nats-server's stall gate): producers feeding
/// it wait a bounded time for it to drain (<see cref="ProducerStall"/>) instead of filling it up
/// to the limit, so a healthy consumer slower than its publisher slows the publisher rather than
/// being cut off.
/// </summary>
public sealed class OutboundBuffer
{
    private const int InitialSize = 16 * 1024;

    // A buffer that grew past this during a burst goes back to the pool instead of being kept.
    private const int RetainLimit = 1024 * 1024;

    // The most handed to the transport in one write: pending bytes fall, and stalled producers are
    // released, as the peer reads, not only once a burst of many megabytes is all gone.
    private const int WriteChunk = 256 * 1024;

    private readonly long _maxPending;
    private readonly long _stallThreshold;
    private TaskCompletionSource? _stall; // guarded by Gate: open while pending bytes are past the threshold
    private long _stalls;
    private byte[]? _active;
    private int _activeLength;
    private byte[]? _spare;
    private long _inFlight;
    private long _flushStartedTicks;
    private long _chunksWritten;

    public OutboundBuffer(long maxPending)
    {
        _maxPending = maxPending;
        _stallThreshold = maxPending / 2;
    }

    /// <summary>The pending limit past which the connection is a slow consumer.</summary>
    public long MaxPending => _maxPending;

    /// <summary>Hold this while reserving and committing.</summary>
    public object Gate { get; } = new();

    /// <summary>Bytes queued and not yet taken by the kernel.</summary>
    public long PendingBytes => Volatile.Read(ref _inFlight) + Volatile.Read(ref _activeLength);

    /// <summary>Environment.TickCount64 when the current write to the transport began; 0 when none is in progress.</summary>
    public long FlushStartedTicks => Volatile.Read(ref _flushStartedTicks);

    /// <summary>How many writes to the transport have completed: it changes whenever the peer takes bytes.</summary>
    public long ChunksWritten => Volatile.Read(ref _chunksWritten);

    /// <summary>
    /// Completes once the connection has drained below its stall threshold (or closed); null while
    /// it is not stalled. Caller holds <see cref="Gate"/>.
    /// </summary>
    public Task? StallLocked => _stall?.Task;

    /// <summary>How many times producers waited for this connection to drain (/connz <c>stalls</c>).</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    internal void CountStall() => Interlocked.Increment(ref _stalls);


    /// <summary>True once something was committed and the writer has not taken it yet.</summary>
    public bool HasQueued => _activeLength > 0;

    /// <summary>
    /// Reserves <paramref name="length"/> bytes (caller holds <see cref="Gate"/>). False when that
    /// would push pending bytes past the limit: the caller treats the connection as a slow consumer.
    /// </summary>
    public bool TryReserve(int length, out Span<byte> destination)
    {
        var needed = _activeLength + length;
        if (needed + _inFlight > _maxPending)
        {
            destination = default;
            return false;
        }

        if (_active is null || needed > _active.Length)
        {
            Grow(needed);
        }

        destination = _active.AsSpan(_activeLength, length);
        return true;
    }

    /// <summary>Makes the reserved bytes part of the queue (caller holds <see cref="Gate"/>).</summary>
    public void Commit(int length)
    {
        _activeLength += length;
        if (_stall is null && _activeLength + _inFlight > _stallThreshold)
        {
            // Once per episode, not per message: the gate stays open until the writer drains it.
            _stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>
    /// Writes everything queued to <paramref name="output"/> until the queue is empty. Only the
    /// connection's writer loop calls this. Returns false when the transport is closed.
    /// </summary>
    public async ValueTask<bool> DrainAsync(PipeWriter output)
    {
        while (true)
        {
            byte[] buffer;
            int length;
            lock (Gate)
            {
                if (_activeLength == 0)
                {
                    ReleaseStallLocked();
                    return true;
                }

                buffer = _active!;
                length = _activeLength;
                _active = _spare;
                _spare = null;
                _activeLength = 0;
                _inFlight = length;
            }

            var completed = true;
            try
            {
                for (var offset = 0; offset < length && completed;)
                {
                    var chunk = Math.Min(WriteChunk, length - offset);
                    Volatile.Write(ref _flushStartedTicks, Environment.TickCount64);
                    // WriteAsync, not Write + FlushAsync: a stream-backed writer (a socket, TLS) and the
                    // S2 writer take the bytes straight from this buffer instead of copying them into
                    // their own first, so every outbound byte is copied once on its way to the kernel
                    // (or the cipher, or the compressor).
                    var result = await output.WriteAsync(buffer.AsMemory(offset, chunk)).ConfigureAwait(false);
                    completed = !result.IsCompleted && !result.IsCanceled;
                    offset += chunk;
                    Interlocked.Increment(ref _chunksWritten);
                    lock (Gate)
                    {
                        _inFlight = length - offset;
                        if (_activeLength + _inFlight <= _stallThreshold)
                        {
                            ReleaseStallLocked();
                        }
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _flushStartedTicks, 0);
                lock (Gate)
                {
                    _inFlight = 0;
                    if (_spare is null && buffer.Length <= RetainLimit)
                    {
                        _spare = buffer;
                    }
                    else
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
            }

            if (!completed)
            {
                return false;
            }
        }
    }

    /// <summary>Returns the buffers to the pool once the connection is gone.</summary>
    public void Release()
    {
        lock (Gate)
        {
            if (_active is not null)
            {
                ArrayPool<byte>.Shared.Return(_active);
            }

            if (_spare is not null)
            {
                ArrayPool<byte>.Shared.Return(_spare);
            }

            _active = _spare = null;
            _activeLength = 0;
            ReleaseStallLocked();
        }
    }

    /// <summary>Lets stalled producers go on (caller holds <see cref="Gate"/>): drained, or closing.</summary>
    public void ReleaseStallLocked()
    {
        if (_stall is { } stall)
        {
            _stall = null;
            stall.TrySetResult();
        }
    }

    private void Grow(int needed)
    {
        var size = Math.Max(InitialSize, _active is null ? needed : Math.Max(needed, _active.Length * 2));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        if (_active is not null)
        {
            _active.AsSpan(0, _activeLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_active);
        }

        _active = bigger;
    }
}
