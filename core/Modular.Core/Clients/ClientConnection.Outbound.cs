using Microsoft.Extensions.Logging;
using Modular.Core.Delivery;

namespace Modular.Core.Clients;

// The write side. There is no writer thread: whoever queues bytes and finds nobody writing writes
// them itself (the publisher at the end of its read batch, the timer for a PING). A send the kernel
// takes at once costs no thread hop; one that must wait finishes in the background and the next
// writer picks up what was queued meanwhile. This keeps request/reply to one hop per direction.
public sealed partial class ClientConnection
{
    private long _batchInMsgs;
    private long _batchInBytes;
    private long _batchOutMsgs;
    private long _batchOutBytes;

    // 1 while some thread owns the transport's output.
    private int _writing;
    private readonly TaskCompletionSource _writerFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Adds this connection to a publisher's flush batch once (caller holds the outbound Gate).</summary>
    private void QueueFlushLocked(FlushBatch batch)
    {
        if (!_flushQueued)
        {
            _flushQueued = true;
            batch.Add(this);
        }
    }

    /// <inheritdoc />
    public void SignalFlush()
    {
        lock (_outbound.Gate)
        {
            _flushQueued = false;
        }

        TryStartWrite();
    }

    /// <summary>End of a read batch: flush everyone we queued to, and publish the batch's counters.</summary>
    private void FlushBatchTargets()
    {
        _batch.FlushAll();
        if (_batchInMsgs != 0 || _batchOutMsgs != 0)
        {
            var statistics = _server.Statistics;
            Interlocked.Add(ref statistics.InMsgs, _batchInMsgs);
            Interlocked.Add(ref statistics.InBytes, _batchInBytes);
            Interlocked.Add(ref statistics.OutMsgs, _batchOutMsgs);
            Interlocked.Add(ref statistics.OutBytes, _batchOutBytes);
            _batchInMsgs = _batchInBytes = _batchOutMsgs = _batchOutBytes = 0;
        }
    }

    private void TryStartWrite()
    {
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = WriteAsync();
        }
    }

    /// <summary>Owns the output until the queue is empty; closes the transport once closing and drained.</summary>
    private async ValueTask WriteAsync()
    {
        var output = _connection.Transport.Output;
        try
        {
            while (true)
            {
                if (IsClosing && !_flushBeforeClose)
                {
                    break;
                }

                if (!await _outbound.DrainAsync(output).ConfigureAwait(false))
                {
                    BeginClose(CloseReason.WriteError, flushFirst: false);
                    break;
                }

                if (IsClosing)
                {
                    break;
                }

                Volatile.Write(ref _writing, 0);

                // Bytes queued after the drain looked, or a close begun meanwhile, need an owner.
                if ((!_outbound.HasQueued && !IsClosing) || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            BeginClose(CloseReason.WriteError, flushFirst: false);
        }

        // Closing: keep _writing at 1 so nobody writes again, and end the read side too.
        _connection.Abort();
        _writerFinished.TrySetResult();
    }

    /// <summary>Cut off a client that cannot keep up; everyone else keeps receiving.</summary>
    private void MarkSlowConsumer(CloseReason reason)
    {
        if (IsClosing)
        {
            return;
        }

        Interlocked.Increment(ref _server.Statistics.SlowConsumersClients);
        _logger.LogWarning("cid:{cid} - Slow Consumer Detected: {reason}, pending {pending} bytes", Id, reason.Describe(), _outbound.PendingBytes);
        BeginClose(reason, flushFirst: false);
    }
}
