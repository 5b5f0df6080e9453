using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Core.Accounts;
using Modular.Core.Subjects;

namespace Modular.Core.Routes.Interest;

/// <summary>
/// The interest one peer registered with us on one route connection (RS+/RS-, LS+/LS-): each
/// entry is one subscription in its account's index, owned by the connection. Guarded by its own
/// lock, a leaf (the index is changed after it is let go).
/// </summary>
public sealed class RemoteInterest
{
    // Keyed by "account subject [queue]" (with the leaf origin for LS+).
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly IMessagePeer _owner;
    private readonly AccountRegistry _accounts;
    private readonly ILogger _logger;

    // A route mostly carries one or a few accounts: the last one found answers most lookups.
    private Account? _lastAccount;

    public RemoteInterest(IMessagePeer owner, AccountRegistry accounts, ILogger logger)
    {
        _owner = owner;
        _accounts = accounts;
        _logger = logger;
    }

    /// <summary>The account every line names implicitly (a pinned route), else null.</summary>
    public Account? ImpliedAccount { get; set; }

    public int Count
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count;
            }
        }
    }

    public IReadOnlyList<Subscription> GetAll()
    {
        lock (_subscriptions)
        {
            return _subscriptions.Values.ToList();
        }
    }

    /// <summary>The account a line names (or the implied one); null for an account we do not have.</summary>
    public Account? Resolve(ReadOnlySpan<byte> name)
    {
        if (ImpliedAccount is { } implied)
        {
            return implied;
        }

        if (_lastAccount is { } last && name.SequenceEqual(last.NameBytes))
        {
            return last;
        }

        if (!_accounts.TryGet(name, out var account))
        {
            return null;
        }

        _lastAccount = account;
        return account;
    }

    public void Subscribe(ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue, int weight)
    {
        var account = Resolve(accountName);
        if (account is null)
        {
            // Accounts are static here: interest for one we do not have is ignored, as nats-server does.
            _logger.LogDebug("rid:{rid} - ignoring interest for unknown account {account}", _owner.Id, Encoding.UTF8.GetString(accountName));
            return;
        }

        if (!SubjectValidator.IsValidSubscribeSubject(subject) || (!queue.IsEmpty && !SubjectValidator.IsValidQueueName(queue)))
        {
            _logger.LogDebug("rid:{rid} - ignoring interest with an invalid subject", _owner.Id);
            return;
        }

        var key = Key(account, origin, subject, queue);
        Subscription? added;
        lock (_subscriptions)
        {
            if (_subscriptions.TryGetValue(key, out var existing))
            {
                if (!queue.IsEmpty)
                {
                    existing.Weight = Math.Max(weight, 1);
                }

                return;
            }

            added = new Subscription(_owner, subject.ToArray(), queue.IsEmpty ? null : queue.ToArray(), Array.Empty<byte>())
            {
                Weight = queue.IsEmpty ? 1 : Math.Max(weight, 1),
            };
            _subscriptions.Add(key, added);
        }

        account.Subscriptions.Insert(added);
    }

    public void Unsubscribe(ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        var account = Resolve(accountName);
        if (account is null)
        {
            return;
        }

        Subscription? removed;
        lock (_subscriptions)
        {
            if (!_subscriptions.Remove(Key(account, origin, subject, queue), out removed))
            {
                return;
            }

            removed.Closed = true;
        }

        account.Subscriptions.Remove(removed);
    }

    /// <summary>Takes every subscription learned on this connection out of the account indexes.</summary>
    public void RemoveAll()
    {
        KeyValuePair<string, Subscription>[] all;
        lock (_subscriptions)
        {
            all = _subscriptions.ToArray();
            _subscriptions.Clear();
        }

        foreach (var (key, subscription) in all)
        {
            subscription.Closed = true;
            var accountName = key[..key.IndexOf(' ')];
            if (_accounts.TryGet(accountName, out var account))
            {
                account.Subscriptions.Remove(subscription);
            }
        }
    }

    /// <summary>Takes the interest of one account out of its index (it moves to a dedicated route).</summary>
    public void RemoveAccount(Account account)
    {
        var prefix = account.Name + " ";
        List<Subscription> removed = new();
        lock (_subscriptions)
        {
            foreach (var key in _subscriptions.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _subscriptions.Remove(key, out var subscription);
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
}
