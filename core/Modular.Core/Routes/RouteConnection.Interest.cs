using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Core.Accounts;
using Modular.Core.Subjects;

namespace Modular.Core.Routes;

// Interest the peer registers with us (RS+/RS-, LS+/LS-), and interest we send it.
public sealed partial class RouteConnection
{
    // Keyed by "account subject [queue]" (with the leaf origin for LS+): each key is one
    // subscription in the account's index, owned by this connection.
    private readonly Dictionary<string, Subscription> _remoteSubscriptions = new(StringComparer.Ordinal);

    public int RemoteSubscriptionCount
    {
        get
        {
            lock (_remoteSubscriptions)
            {
                return _remoteSubscriptions.Count;
            }
        }
    }

    public IReadOnlyList<Subscription> GetRemoteSubscriptions()
    {
        lock (_remoteSubscriptions)
        {
            return _remoteSubscriptions.Values.ToList();
        }
    }

    // A route mostly carries one or a few accounts: the last one found answers most lookups.
    private Account? _lastAccount;

    private Account? ResolveAccount(ReadOnlySpan<byte> name)
    {
        if (PinnedAccount is not null)
        {
            return PinnedAccount;
        }

        if (_lastAccount is { } last && name.SequenceEqual(last.NameBytes))
        {
            return last;
        }

        if (!_server.Accounts.TryGet(name, out var account))
        {
            return null;
        }

        _lastAccount = account;
        return account;
    }

    private void ProcessRemoteSubscribe(ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue, int weight)
    {
        var account = ResolveAccount(accountName);
        if (account is null)
        {
            // Accounts are static here: interest for one we do not have is ignored, as nats-server does.
            _logger.LogDebug("rid:{rid} - ignoring interest for unknown account {account}", Id, Encoding.UTF8.GetString(accountName));
            return;
        }

        if (!SubjectValidator.IsValidSubscribeSubject(subject) || (!queue.IsEmpty && !SubjectValidator.IsValidQueueName(queue)))
        {
            _logger.LogDebug("rid:{rid} - ignoring interest with an invalid subject", Id);
            return;
        }

        var key = Key(account, origin, subject, queue);
        Subscription? added = null;
        lock (_remoteSubscriptions)
        {
            if (_remoteSubscriptions.TryGetValue(key, out var existing))
            {
                if (!queue.IsEmpty)
                {
                    existing.Weight = Math.Max(weight, 1);
                }

                return;
            }

            added = new Subscription(this, subject.ToArray(), queue.IsEmpty ? null : queue.ToArray(), Array.Empty<byte>())
            {
                Weight = queue.IsEmpty ? 1 : Math.Max(weight, 1),
            };
            _remoteSubscriptions.Add(key, added);
        }

        account.Subscriptions.Insert(added);
    }

    private void ProcessRemoteUnsubscribe(ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        var account = ResolveAccount(accountName);
        if (account is null)
        {
            return;
        }

        Subscription? removed;
        lock (_remoteSubscriptions)
        {
            if (!_remoteSubscriptions.Remove(Key(account, origin, subject, queue), out removed))
            {
                return;
            }

            removed.Closed = true;
        }

        account.Subscriptions.Remove(removed);
    }

    /// <summary>Takes every subscription learned on this connection out of the account indexes.</summary>
    private void RemoveAllRemoteSubscriptions()
    {
        KeyValuePair<string, Subscription>[] all;
        lock (_remoteSubscriptions)
        {
            all = _remoteSubscriptions.ToArray();
            _remoteSubscriptions.Clear();
        }

        foreach (var (key, subscription) in all)
        {
            subscription.Closed = true;
            var accountName = key[..key.IndexOf(' ')];
            if (_server.Accounts.TryGet(accountName, out var account))
            {
                account.Subscriptions.Remove(subscription);
            }
        }
    }

    /// <summary>Takes the interest of one account learned on this connection out of its index (it moves to a dedicated route).</summary>
    internal void RemoveRemoteSubscriptions(Account account)
    {
        var prefix = account.Name + " ";
        List<Subscription> removed = new();
        lock (_remoteSubscriptions)
        {
            foreach (var key in _remoteSubscriptions.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _remoteSubscriptions.Remove(key, out var subscription);
                subscription!.Closed = true;
                removed.Add(subscription);
            }
        }

        foreach (var subscription in removed)
        {
            account.Subscriptions.Remove(subscription);
        }
    }

    private static string Key(Account account, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        var builder = new StringBuilder(account.Name.Length + subject.Length + queue.Length + origin.Length + 4);
        builder.Append(account.Name).Append(' ').Append(Encoding.UTF8.GetString(subject));
        if (!queue.IsEmpty)
        {
            builder.Append(' ').Append(Encoding.UTF8.GetString(queue));
        }

        if (!origin.IsEmpty)
        {
            builder.Append(" @").Append(Encoding.UTF8.GetString(origin));
        }

        return builder.ToString();
    }

    /// <summary>Queues RS+ (with the queue weight when a queue is given) for one account's interest.</summary>
    internal void SendSubscribe(Account account, string subject, string? queue, int weight)
    {
        var line = new StringBuilder("RS+ ");
        if (PinnedAccount is null)
        {
            line.Append(account.Name).Append(' ');
        }

        line.Append(subject);
        if (queue is not null)
        {
            line.Append(' ').Append(queue).Append(' ').Append(weight);
        }

        line.Append("\r\n");
        _output.SendNow(Encoding.UTF8.GetBytes(line.ToString()));
    }

    /// <summary>Queues RS- for one account's interest.</summary>
    internal void SendUnsubscribe(Account account, string subject, string? queue)
    {
        var line = new StringBuilder("RS- ");
        if (PinnedAccount is null)
        {
            line.Append(account.Name).Append(' ');
        }

        line.Append(subject);
        if (queue is not null)
        {
            line.Append(' ').Append(queue);
        }

        line.Append("\r\n");
        _output.SendNow(Encoding.UTF8.GetBytes(line.ToString()));
    }
}
