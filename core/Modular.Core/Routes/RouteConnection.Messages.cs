using Microsoft.Extensions.Logging;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Routes;

// Messages: RMSG/HMSG in from the peer (handed to the router: delivered locally, never forwarded
// to other routes except the queue bounce), and out to the peer, one copy per message.
public sealed partial class RouteConnection
{
    private long _inMsgs;
    private long _inBytes;
    private long _outMsgs;
    private long _outBytes;
    private long _batchInMsgs;
    private long _batchInBytes;

    public long InMsgs => Volatile.Read(ref _inMsgs);

    public long InBytes => Volatile.Read(ref _inBytes);

    public long OutMsgs => Volatile.Read(ref _outMsgs);

    public long OutBytes => Volatile.Read(ref _outBytes);

    public long PendingBytes => _output.Buffer.PendingBytes;

    /// <summary>Queues one RMSG (or HMSG) naming the queue groups this peer was picked for.</summary>
    public bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch)
    {
        var withHeaders = message.HeaderSize > 0 && RemoteHeaders;
        // A peer without header support gets the body only, as nats-server strips them.
        var payload = message.HeaderSize > 0 && !withHeaders ? message.Payload.Slice(message.HeaderSize) : message.Payload;
        // A route pinned to one account carries no account name on the wire.
        ReadOnlySpan<byte> accountName = PinnedAccount is null ? account : ReadOnlySpan<byte>.Empty;
        var length = RouteMessageEncoder.Length(accountName.Length, message.Subject.Length, message.Reply.Length, queues, message.HeaderSize, (int)payload.Length, withHeaders);
        lock (_output.Gate)
        {
            if (IsClosing)
            {
                return false;
            }

            if (!_output.Buffer.TryReserve(length, out var destination))
            {
                MarkSlowConsumer(RouteCloseReason.SlowConsumerPendingBytes);
                return false;
            }

            RouteMessageEncoder.Write(destination, accountName, message.Subject, message.Reply, queues, message.HeaderSize, payload, withHeaders);
            _output.Buffer.Commit(length);
            _outMsgs++;
            _outBytes += payload.Length;
            _output.QueueFlushLocked(batch);
        }

        return true;
    }

    private void ProcessRoutedMessage(ref RouteCommand command)
    {
        var account = ResolveAccount(command.Account);
        _inMsgs++;
        _inBytes += command.TotalSize;
        _batchInMsgs++;
        _batchInBytes += command.TotalSize;
        if (account is null)
        {
            _logger.LogDebug("rid:{rid} - dropping a routed message for an unknown account", Id);
            return;
        }

        // Local subscribers and the queue groups the peer named; never on to another route except a queue bounce.
        var message = new OutboundMessage(command.Subject, command.Reply, command.HeaderSize, command.Payload);
        _router.Route(account, message, namedQueues: command.Queues);
    }
}
