using System.Runtime.CompilerServices;
using System.Buffers;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Subjects;

namespace Modular.Core.Clients;

// Publishing: PUB/HPUB in, MSG/HMSG out. This is the hot path: no allocation per message.
public sealed partial class ClientConnection
{
    private long _inMsgs;
    private long _inBytes;
    private long _outMsgs;
    private long _outBytes;

    // Requests that reached this client across a gateway: their routed replies (created on the first).
    private Gateways.GatewayReplyMap? _gatewayReplies;

    public long InMsgs => Volatile.Read(ref _inMsgs);

    public long InBytes => Volatile.Read(ref _inBytes);

    public long OutMsgs => Volatile.Read(ref _outMsgs);

    public long OutBytes => Volatile.Read(ref _outBytes);

    public long PendingBytes => _outbound.PendingBytes;

    /// <summary>Hands one publish to the router. False when the connection must close.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private bool ProcessPublish(ref ClientCommand command)
    {
        if (command.Op == ClientOp.HPub && !_options.Headers)
        {
            // nats-server closes a client that sends HPUB without having announced headers.
            BeginClose(CloseReason.ProtocolViolation, flushFirst: true);
            return false;
        }

        _inMsgs++;
        _inBytes += command.TotalSize;
        _batchInMsgs++;
        _batchInBytes += command.TotalSize;

        if (_options.Pedantic && !SubjectValidator.IsValidPublishSubject(command.Subject))
        {
            // As nats-server: complain, then deliver anyway.
            SendError(ErrorMessages.InvalidPublishSubject);
        }

        // An answer to a request that crossed a gateway goes to its routed reply (_GR_.…), straight back.
        var subject = command.Subject;
        if (_gatewayReplies is { IsEmpty: false } replies && replies.TryMap(subject, Environment.TickCount64, out var routedReply))
        {
            subject = routedReply;
        }

        var message = new OutboundMessage(subject, command.Reply, command.HeaderSize, command.Payload);
        var routed = _router.Route(_account, message, _options.Echo);

        // Every copy counts as sent in /varz, a copy to a peer server too.
        _batchOutMsgs += routed.Copies;
        _batchOutBytes += routed.Copies * message.Payload.Length;

        if (!routed.Delivered && !command.Reply.IsEmpty && _options.NoResponders)
        {
            SendNoResponders(command.Subject, command.Reply);
        }

        SendOk();
        return true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch)
    {
        if (subscription.Closed)
        {
            return false;
        }

        var max = subscription.MaxMessages;
        var count = Interlocked.Increment(ref subscription.Delivered);
        if (max > 0 && count > max)
        {
            return false;
        }

        // A request from another cluster: the client sees the original reply, as nats-server's clients do.
        var reply = message.Reply;
        if (Gateways.GatewayReply.IsRouted(reply))
        {
            reply = GatewayReplies().Track(reply, Environment.TickCount64);
        }

        var withHeaders = message.HeaderSize > 0 && _options.Headers;
        var payload = message.HeaderSize > 0 && !withHeaders ? message.Payload.Slice(message.HeaderSize) : message.Payload;
        var length = withHeaders
            ? MessageEncoder.HMsgLength(message.Subject.Length, subscription.Sid.Length, reply.Length, message.HeaderSize, (int)payload.Length)
            : MessageEncoder.MsgLength(message.Subject.Length, subscription.Sid.Length, reply.Length, (int)payload.Length);

        lock (_outbound.Gate)
        {
            if (IsClosing)
            {
                return false;
            }

            if (!_outbound.TryReserve(length, out var destination))
            {
                MarkSlowConsumer(CloseReason.SlowConsumerPendingBytes);
                return false;
            }

            if (withHeaders)
            {
                MessageEncoder.WriteHMsg(destination, message.Subject, subscription.Sid, reply, message.HeaderSize, payload);
            }
            else
            {
                MessageEncoder.WriteMsg(destination, message.Subject, subscription.Sid, reply, payload);
            }

            _outbound.Commit(length);
            _outMsgs++;
            _outBytes += payload.Length;
            _output.QueueFlushLocked(batch);
        }

        if (max > 0 && count == max)
        {
            RemoveSubscription(subscription);
        }

        return true;
    }

    private Gateways.GatewayReplyMap GatewayReplies()
    {
        if (Volatile.Read(ref _gatewayReplies) is { } replies)
        {
            return replies;
        }

        Interlocked.CompareExchange(ref _gatewayReplies, new Gateways.GatewayReplyMap(), null);
        return _gatewayReplies!;
    }

    /// <summary>The 503 status a requester gets when nobody could take its request.</summary>
    private void SendNoResponders(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply)
    {
        var replySubscription = FindOwnSubscriptionFor(reply);
        if (replySubscription is null)
        {
            return;
        }

        // Header block: status line, Nats-Subject line, blank line; no body.
        var headerLength = ProtocolTokens.NoRespondersStatus.Length + ProtocolTokens.NatsSubjectHeader.Length + subject.Length + 4;
        Span<byte> header = headerLength <= 512 ? stackalloc byte[headerLength] : new byte[headerLength];
        var position = 0;
        ProtocolTokens.NoRespondersStatus.CopyTo(header);
        position += ProtocolTokens.NoRespondersStatus.Length;
        ProtocolTokens.NatsSubjectHeader.CopyTo(header[position..]);
        position += ProtocolTokens.NatsSubjectHeader.Length;
        subject.CopyTo(header[position..]);
        position += subject.Length;
        "\r\n\r\n"u8.CopyTo(header[position..]);

        var payload = new ReadOnlySequence<byte>(header.ToArray());
        var length = MessageEncoder.HMsgLength(reply.Length, replySubscription.Sid.Length, 0, headerLength, headerLength);
        lock (_outbound.Gate)
        {
            if (IsClosing || !_outbound.TryReserve(length, out var destination))
            {
                return;
            }

            MessageEncoder.WriteHMsg(destination, reply, replySubscription.Sid, default, headerLength, payload);
            _outbound.Commit(length);
            _output.QueueFlushLocked(_batch);
        }
    }
}
