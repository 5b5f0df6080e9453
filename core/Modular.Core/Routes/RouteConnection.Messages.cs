using Microsoft.Extensions.Logging;
using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Routes;

// Messages: RMSG/HMSG in from the peer (delivered locally, never forwarded to other routes except
// the queue bounce), and out to the peer for one publish.
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

    /// <summary>A route's subscription is served by sending it the message as a plain RMSG.</summary>
    public bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch) =>
        PinnedAccount is not null || RemoteInfo is not null
            ? SendMessage(PinnedAccount ?? _server.Accounts.Global, message, null, batch)
            : false;

    /// <summary>Queues one RMSG (or HMSG) naming the queue groups this peer was picked for.</summary>
    public bool SendMessage(Account account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch)
    {
        var withHeaders = message.HeaderSize > 0 && RemoteHeaders;
        // A peer without header support gets the body only, as nats-server strips them.
        var payload = message.HeaderSize > 0 && !withHeaders ? message.Payload.Slice(message.HeaderSize) : message.Payload;
        ReadOnlySpan<byte> accountName = PinnedAccount is null ? account.NameBytes : ReadOnlySpan<byte>.Empty;
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

        var message = new OutboundMessage(command.Subject, command.Reply, command.HeaderSize, command.Payload);
        var match = account.Subscriptions.Match(command.Subject);

        // Every local plain subscriber; never another route's plain interest (one hop).
        var plain = match.Plain;
        for (var i = 0; i < plain.Length; i++)
        {
            var subscription = plain[i];
            if (subscription.Owner is not RouteConnection)
            {
                subscription.Owner.Deliver(subscription, message, _batch);
            }
        }

        if (!command.Queues.IsEmpty)
        {
            DeliverToNamedQueues(account, match, command.Queues, message);
        }
    }

    /// <summary>One member of each named group, local members first; none local → bounce to another route's member.</summary>
    private void DeliverToNamedQueues(Account account, SubscriptionMatch match, ReadOnlySpan<byte> queues, in OutboundMessage message)
    {
        var groups = match.QueueGroups;
        while (!queues.IsEmpty)
        {
            var end = queues.IndexOf((byte)' ');
            var name = end < 0 ? queues : queues[..end];
            queues = end < 0 ? default : queues[(end + 1)..];
            if (name.IsEmpty)
            {
                continue;
            }

            for (var g = 0; g < groups.Length; g++)
            {
                var members = groups[g];
                if (members[0].Queue is { } queue && queue.AsSpan().SequenceEqual(name))
                {
                    if (!DeliverToLocalMember(members, message))
                    {
                        BounceToRemoteMember(members, queue);
                    }

                    break;
                }
            }
        }

        if (!_bounceTargets.IsEmpty)
        {
            _bounceTargets.SendAll(account, message, _batch);
        }
    }

    private bool DeliverToLocalMember(Subscription[] members, in OutboundMessage message)
    {
        var start = members.Length == 1 ? 0 : Random.Shared.Next(members.Length);
        for (var n = 0; n < members.Length; n++)
        {
            var member = members[(start + n) % members.Length];
            if (member.Owner is not RouteConnection && !member.Closed && member.Owner.Deliver(member, message, _batch))
            {
                return true;
            }
        }

        return false;
    }

    private void BounceToRemoteMember(Subscription[] members, byte[] queue)
    {
        for (var n = 0; n < members.Length; n++)
        {
            if (members[n].Owner is RouteConnection other && !ReferenceEquals(other, this) && !members[n].Closed)
            {
                _bounceTargets.AddQueue(other, queue);
                return;
            }
        }
    }
}
