using System.Buffers;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Core.Subjects;

namespace Modular.Core.Clients;

// Publishing: PUB/HPUB in, MSG/HMSG out. This is the hot path: no allocation per message.
public sealed partial class ClientConnection
{
    private long _inMsgs;
    private long _inBytes;
    private long _outMsgs;
    private long _outBytes;

    private readonly RouteTargets _routeTargets = new();

    public long InMsgs => Volatile.Read(ref _inMsgs);

    public long InBytes => Volatile.Read(ref _inBytes);

    public long OutMsgs => Volatile.Read(ref _outMsgs);

    public long OutBytes => Volatile.Read(ref _outBytes);

    public long PendingBytes => _outbound.PendingBytes;

    /// <summary>Routes one publish to every matching subscription. False when the connection must close.</summary>
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

        var message = new OutboundMessage(command.Subject, command.Reply, command.HeaderSize, command.Payload);
        var delivered = DeliverToSubscribers(_account.Subscriptions.Match(command.Subject), message);

        if (!delivered && !command.Reply.IsEmpty && _options.NoResponders)
        {
            SendNoResponders(command.Subject, command.Reply);
        }

        SendOk();
        return true;
    }

    private bool DeliverToSubscribers(SubscriptionMatch match, in OutboundMessage message)
    {
        var delivered = false;
        var plain = match.Plain;
        for (var i = 0; i < plain.Length; i++)
        {
            var subscription = plain[i];
            if (subscription.Owner is RouteConnection route)
            {
                // One RMSG per route connection, however many of its subscriptions match.
                _routeTargets.AddPlain(route);
                continue;
            }

            if (!_options.Echo && ReferenceEquals(subscription.Owner, this))
            {
                continue;
            }

            if (subscription.Owner.Deliver(subscription, message, _batch))
            {
                delivered = true;
                _batchOutMsgs++;
                _batchOutBytes += message.Payload.Length;
            }
        }

        var groups = match.QueueGroups;
        for (var g = 0; g < groups.Length; g++)
        {
            delivered |= DeliverToQueueGroup(groups[g], message);
        }

        if (!_routeTargets.IsEmpty)
        {
            // Delivery over a route counts as delivered (no no-responders then), and as sent in /varz.
            var routed = _routeTargets.SendAll(_account, message, _batch);
            delivered |= routed > 0;
            _batchOutMsgs += routed;
            _batchOutBytes += routed * message.Payload.Length;
        }

        return delivered;
    }

    /// <summary>
    /// One member of the group, uniformly at random over every member cluster-wide: a route's
    /// queue interest stands for as many members as its weight. A local pick that cannot take the
    /// message passes it to the next member.
    /// </summary>
    private bool DeliverToQueueGroup(Subscription[] members, in OutboundMessage message)
    {
        var total = 0;
        for (var i = 0; i < members.Length; i++)
        {
            total += members[i].Weight;
        }

        var pick = total <= 1 ? 0 : Random.Shared.Next(total);
        var start = 0;
        while (start < members.Length - 1 && pick >= members[start].Weight)
        {
            pick -= members[start].Weight;
            start++;
        }

        for (var n = 0; n < members.Length; n++)
        {
            var member = members[(start + n) % members.Length];
            if (member.Closed || (!_options.Echo && ReferenceEquals(member.Owner, this)))
            {
                continue;
            }

            if (member.Owner is RouteConnection route)
            {
                _routeTargets.AddQueue(route, member.Queue!);
                return true;
            }

            if (member.Owner.Deliver(member, message, _batch))
            {
                _batchOutMsgs++;
                _batchOutBytes += message.Payload.Length;
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
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

        var withHeaders = message.HeaderSize > 0 && _options.Headers;
        var payload = message.HeaderSize > 0 && !withHeaders ? message.Payload.Slice(message.HeaderSize) : message.Payload;
        var length = withHeaders
            ? MessageEncoder.HMsgLength(message.Subject.Length, subscription.Sid.Length, message.Reply.Length, message.HeaderSize, (int)payload.Length)
            : MessageEncoder.MsgLength(message.Subject.Length, subscription.Sid.Length, message.Reply.Length, (int)payload.Length);

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
                MessageEncoder.WriteHMsg(destination, message.Subject, subscription.Sid, message.Reply, message.HeaderSize, payload);
            }
            else
            {
                MessageEncoder.WriteMsg(destination, message.Subject, subscription.Sid, message.Reply, payload);
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
