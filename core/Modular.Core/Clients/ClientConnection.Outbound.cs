using Microsoft.Extensions.Logging;
using Modular.Core.Delivery;

namespace Modular.Core.Clients;

// The write side: queuing control lines, flushing publisher batches, slow consumers.
public sealed partial class ClientConnection
{
    private long _batchInMsgs;
    private long _batchInBytes;
    private long _batchOutMsgs;
    private long _batchOutBytes;

    /// <summary>End of a read batch: flush everyone we queued to, and publish the batch's counters.</summary>
    private void FlushBatchTargets()
    {
        _batch.FlushAll();
        if (_batchInMsgs != 0 || _batchOutMsgs != 0)
        {
            _server.AddMessageCounts(_batchInMsgs, _batchInBytes, _batchOutMsgs, _batchOutBytes);
            _batchInMsgs = _batchInBytes = _batchOutMsgs = _batchOutBytes = 0;
        }
    }

    /// <summary>Cut off a client that cannot keep up; everyone else keeps receiving.</summary>
    private void MarkSlowConsumer(CloseReason reason)
    {
        if (IsClosing)
        {
            return;
        }

        _server.CountSlowConsumer();
        _logger.LogWarning("cid:{cid} - Slow Consumer Detected: {reason}, pending {pending} bytes", Id, reason.Describe(), _outbound.PendingBytes);
        BeginClose(reason, flushFirst: false);
    }
}
