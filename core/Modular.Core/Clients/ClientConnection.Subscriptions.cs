using Modular.Core.Protocol;
using Modular.Core.Subjects;

namespace Modular.Core.Clients;

// SUB and UNSUB: the client's sid table and its entries in the account's subject index.
public sealed partial class ClientConnection
{
    // The subscriptions themselves, found by sid bytes: a key string per sid cost ~40 bytes of every
    // subscription (a client may hold tens of thousands).
    private readonly HashSet<Subscription> _subscriptions = new(SidComparer.Instance);

    public int SubscriptionCount
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count;
            }
        }
    }

    private void ProcessSubscribe(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue, ReadOnlySpan<byte> sid)
    {
        if (!SubjectValidator.IsValidSubscribeSubject(subject) || (!queue.IsEmpty && !SubjectValidator.IsValidQueueName(queue)))
        {
            SendError(ErrorMessages.InvalidSubject);
            return;
        }

        var maxSubscriptions = _server.Options.Server.MaxSubscriptions;
        Subscription subscription;
        lock (_subscriptions)
        {
            if (_subscriptions.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(sid))
            {
                // A SUB that reuses a live sid changes nothing, as in nats-server.
                SendOk();
                return;
            }

            if (maxSubscriptions > 0 && _subscriptions.Count >= maxSubscriptions)
            {
                SendError(ErrorMessages.MaxSubscriptionsExceeded);
                return;
            }

            subscription = new Subscription(this, subject.ToArray(), queue.IsEmpty ? null : queue.ToArray(), sid.ToArray());
            _subscriptions.Add(subscription);
        }

        _account.Subscriptions.Insert(subscription);
        SendOk();
    }

    private void ProcessUnsubscribe(ReadOnlySpan<byte> sid, long maxMessages)
    {
        Subscription? subscription;
        lock (_subscriptions)
        {
            _subscriptions.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(sid, out subscription);
        }

        if (subscription is not null)
        {
            if (maxMessages > 0 && maxMessages > Interlocked.Read(ref subscription.Delivered))
            {
                // Deferred: Deliver removes it when the count is reached.
                subscription.MaxMessages = maxMessages;
            }
            else
            {
                RemoveSubscription(subscription);
            }
        }

        SendOk();
    }

    /// <summary>Takes a subscription out of the sid table and the subject index; safe to call twice.</summary>
    private void RemoveSubscription(Subscription subscription)
    {
        lock (_subscriptions)
        {
            if (subscription.Closed)
            {
                return;
            }

            subscription.Closed = true;
            _subscriptions.Remove(subscription);
        }

        _account.Subscriptions.Remove(subscription);
    }

    private void RemoveAllSubscriptions()
    {
        Subscription[] all;
        lock (_subscriptions)
        {
            all = _subscriptions.ToArray();
            _subscriptions.Clear();
            foreach (var subscription in all)
            {
                subscription.Closed = true;
            }
        }

        foreach (var subscription in all)
        {
            _account.Subscriptions.Remove(subscription);
        }
    }

    /// <summary>This client's own plain subscription that a reply subject would reach (for no-responders).</summary>
    private Subscription? FindOwnSubscriptionFor(ReadOnlySpan<byte> reply)
    {
        foreach (var candidate in _account.Subscriptions.Match(reply).Plain)
        {
            if (ReferenceEquals(candidate.Owner, this))
            {
                return candidate;
            }
        }

        return null;
    }

    public IReadOnlyList<SubscriptionSnapshot> GetSubscriptions()
    {
        lock (_subscriptions)
        {
            var list = new List<SubscriptionSnapshot>(_subscriptions.Count);
            foreach (var subscription in _subscriptions)
            {
                list.Add(new SubscriptionSnapshot(
                    _account.Name,
                    subscription.SubjectText,
                    subscription.QueueText,
                    subscription.SidText,
                    Interlocked.Read(ref subscription.Delivered),
                    subscription.MaxMessages,
                    Id));
            }

            return list;
        }
    }
}
