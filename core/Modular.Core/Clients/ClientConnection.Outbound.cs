using Microsoft.Extensions.Logging;
using Modular.Core.Delivery;

namespace Modular.Core.Clients;

// The write side: one writer loop per connection, flushes requested once per publisher batch.
public sealed partial class ClientConnection
{
    private long _batchInMsgs;
    private long _batchInBytes;
    private long _batchOutMsgs;
    private long _batchOutBytes;

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

        _flushSignal.Set();
    }

    /// <summary>End of a read batch: wake the writers of everyone we queued to, and publish the batch's counters.</summary>
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

    private async Task WriteLoopAsync()
    {
        var output = _connection.Transport.Output;
        try
        {
            while (true)
            {
                await _flushSignal.WaitAsync().ConfigureAwait(false);
                if (!await _outbound.DrainAsync(output).ConfigureAwait(false))
                {
                    break;
                }

                if (IsClosing)
                {
                    // Whatever was queued just before closing (an -ERR) goes out too.
                    if (_flushBeforeClose)
                    {
                        await _outbound.DrainAsync(output).ConfigureAwait(false);
                    }

                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            BeginClose(CloseReason.WriteError, flushFirst: false);
        }
        finally
        {
            // Ends the read loop too if it is still waiting on the socket.
            _connection.Abort();
        }
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
