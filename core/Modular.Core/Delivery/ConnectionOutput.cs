using Modular.Abstractions.Transport;

namespace Modular.Core.Delivery;

/// <summary>
/// The write side of one connection (client or route), and its closing state. There is no writer
/// thread: whoever queues bytes and finds nobody writing sends them itself — the publisher at the
/// end of its read batch, the timer for a PING. A send the kernel takes at once costs no thread
/// hop; one that must wait finishes in the background, and whoever owns the output then picks up
/// what was queued meanwhile. That keeps request/reply to one hop each way.
/// </summary>
public sealed class ConnectionOutput : IFlushTarget
{
    private readonly ModularConnection _connection;
    private readonly Action _onWriteFailed;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writing; // 1 while some thread owns the transport's output
    private int _closing;
    private bool _flushBeforeClose;
    private bool _lingerAfterFlush;
    private bool _flushQueued; // guarded by Gate: already in some publisher's flush batch
    private bool _halfClosed; // set before Finished completes: closed after a flush, the send side only

    /// <param name="onWriteFailed">Called once when a write fails, before the output closes.</param>
    public ConnectionOutput(ModularConnection connection, long maxPending, Action onWriteFailed)
    {
        _connection = connection;
        _onWriteFailed = onWriteFailed;
        Buffer = new OutboundBuffer(maxPending);
    }

    public OutboundBuffer Buffer { get; }

    /// <summary>Hold this while reserving and committing bytes in <see cref="Buffer"/>.</summary>
    public object Gate => Buffer.Gate;

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public long ClosingSinceTicks { get; private set; }

    /// <summary>Completes once the output is closed and the transport aborted.</summary>
    public Task Finished => _finished.Task;

    /// <summary>
    /// Adds this output to a publisher's flush batch once per batch (caller holds <see cref="Gate"/>),
    /// and tells the batch when this connection is stalled so its producer waits for it.
    /// </summary>
    public void QueueFlushLocked(FlushBatch batch)
    {
        if (Buffer.StallLocked is not null)
        {
            batch.NoteStalled(Buffer);
        }

        if (!_flushQueued)
        {
            _flushQueued = true;
            batch.Add(this);
        }
    }

    /// <summary>Queues bytes and sends them now (control lines from timers and handshakes). False when over the pending limit or closing.</summary>
    public bool SendNow(ReadOnlySpan<byte> bytes)
    {
        lock (Gate)
        {
            if (IsClosing || !Buffer.TryReserve(bytes.Length, out var destination))
            {
                return false;
            }

            bytes.CopyTo(destination);
            Buffer.Commit(bytes.Length);
        }

        TryStartWrite();
        return true;
    }

    /// <inheritdoc />
    public void SignalFlush()
    {
        lock (Gate)
        {
            _flushQueued = false;
        }

        TryStartWrite();
    }

    /// <summary>
    /// Starts closing once: true for the first caller. With <paramref name="flushFirst"/> what is
    /// queued (an -ERR) is sent before the transport closes; without it the transport closes now.
    /// After a flush the send side is shut and the owner lingers for the peer's end
    /// (<see cref="LingerAsync"/>), unless <paramref name="lingerAfterFlush"/> is false: then the
    /// transport is aborted as soon as the bytes are handed over (a stale peer sends no FIN).
    /// </summary>
    public bool TryBeginClose(bool flushFirst, bool lingerAfterFlush = true)
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0)
        {
            return false;
        }

        _flushBeforeClose = flushFirst;
        _lingerAfterFlush = lingerAfterFlush;
        ClosingSinceTicks = Environment.TickCount64;
        lock (Gate)
        {
            // Nobody waits for a connection that is going away.
            Buffer.ReleaseStallLocked();
        }

        if (!flushFirst)
        {
            _connection.Abort();
        }

        // The current writer, or a new one, finishes the close.
        TryStartWrite();
        return true;
    }

    /// <summary>
    /// Waits until everything queued so far has been handed to the transport (a route handshake
    /// switching to compression must not swap the stream under a write). Bounded: false on timeout.
    /// </summary>
    public async Task<bool> WhenIdleAsync(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Volatile.Read(ref _writing) != 0 || Buffer.HasQueued)
        {
            if (IsClosing || Environment.TickCount64 > deadline)
            {
                return false;
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Ends a close that is taking too long to flush (a peer that stopped reading).</summary>
    public void Abort() => _connection.Abort();

    public void TryStartWrite()
    {
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = WriteAsync();
        }
    }

    private async ValueTask WriteAsync()
    {
        var output = _connection.Transport.Output;
        var failed = false;
        try
        {
            while (true)
            {
                if (IsClosing && !_flushBeforeClose)
                {
                    break;
                }

                if (!await Buffer.DrainAsync(output).ConfigureAwait(false))
                {
                    failed = true;
                    break;
                }

                if (IsClosing)
                {
                    break;
                }

                Volatile.Write(ref _writing, 0);

                // Bytes queued after the drain looked, or a close begun meanwhile, need an owner.
                if ((!Buffer.HasQueued && !IsClosing) || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            failed = true;
        }

        if (failed && !IsClosing)
        {
            _onWriteFailed();
            TryBeginClose(flushFirst: false);
        }

        // Closed: _writing stays 1 so nobody writes again. After a flush only the send side is shut
        // (FIN after the data) and the owner lingers (LingerAsync); otherwise aborting ends the read side too.
        if (failed || !_flushBeforeClose || !_lingerAfterFlush || !_connection.TryShutdownSend())
        {
            _connection.Abort();
        }
        else
        {
            _halfClosed = true;
        }

        _finished.TrySetResult();
    }

    /// <summary>
    /// Once the read loop has ended and <see cref="Finished"/> completed: after a close that flushed,
    /// reads and drops what the peer still sends until it closes its side. Closing a socket that has
    /// unread input, or that input arrives at later, makes the kernel answer with a reset and throw
    /// away what we sent but the peer has not read yet: a client sending a PING or an UNSUB while the
    /// server closes it would lose the end of its messages. Bounded by whoever aborts a close that
    /// takes too long (the housekeeping timer, a stopping server).
    /// </summary>
    public async Task LingerAsync()
    {
        if (!_halfClosed)
        {
            return;
        }

        var input = _connection.Transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // Aborted, or the peer reset: nothing more to wait for.
        }
    }
}
