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
/// <remarks>
/// Entries are grouped by account and leaf origin (a route carries one or a few of each), and in
/// a group the subscription is its own key (compared by subject and queue): a node holding many
/// peers' interest pays no key string per subscription.
/// </remarks>
public sealed class RemoteInterest
{
    private readonly Lock _lock = new();
    private readonly List<InterestGroup> _groups = new();
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
            lock (_lock)
            {
                int count = 0;
                foreach (var group in _groups)
                {
                    count += group.Subscriptions.Count;
                }

                return count;
            }
        }
    }

    public IReadOnlyList<Subscription> GetAll()
    {
        lock (_lock)
        {
            var all = new List<Subscription>();
            foreach (var group in _groups)
            {
                all.AddRange(group.Subscriptions);
            }

            return all;
        }
    }

    /// <summary>The interest held, by account (for monitoring: /gatewayz accounts).</summary>
    public IReadOnlyList<(Account Account, IReadOnlyList<Subscription> Subscriptions)> GetByAccount()
    {
        lock (_lock)
        {
            return _groups.GroupBy(g => g.Account)
                .Select(g => (g.Key, (IReadOnlyList<Subscription>)g.SelectMany(x => x.Subscriptions).ToList()))
                .ToList();
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

        Subscription? added;
        Subscription? reweighed = null;
        lock (_lock)
        {
            var group = FindGroup(account, origin) ?? AddGroup(account, origin);
            var lookup = group.Subscriptions.GetAlternateLookup<SubjectQueue>();
            if (lookup.TryGetValue(new SubjectQueue(subject, queue), out var existing))
            {
                if (queue.IsEmpty)
                {
                    return;
                }

                reweighed = existing;
                added = null;
            }
            else
            {

                added = new Subscription(_owner, subject.ToArray(), queue.IsEmpty ? null : queue.ToArray(), Array.Empty<byte>())
                {
                    Weight = queue.IsEmpty ? 1 : Math.Max(weight, 1),
                    LeafOrigin = group.OriginText ?? _owner.LeafOrigin,
                };
                group.Subscriptions.Add(added);
            }
        }

        if (reweighed is not null)
        {
            // Outside our lock, as an insert: the index takes its interest gate (leaf nodes tally weights).
            account.Subscriptions.ChangeWeight(reweighed, Math.Max(weight, 1));
            return;
        }

        account.Subscriptions.Insert(added!);
    }

    public void Unsubscribe(ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        var account = Resolve(accountName);
        if (account is null)
        {
            return;
        }

        Subscription? removed;
        lock (_lock)
        {
            var group = FindGroup(account, origin);
            if (group is null || !group.Subscriptions.GetAlternateLookup<SubjectQueue>().TryGetValue(new SubjectQueue(subject, queue), out removed))
            {
                return;
            }

            group.Subscriptions.Remove(removed);
            removed.Closed = true;
            if (group.Subscriptions.Count == 0)
            {
                _groups.Remove(group);
            }
        }

        account.Subscriptions.Remove(removed);
    }

    /// <summary>Takes every subscription learned on this connection out of the account indexes.</summary>
    public void RemoveAll()
    {
        InterestGroup[] all;
        lock (_lock)
        {
            all = _groups.ToArray();
            _groups.Clear();
        }

        foreach (var group in all)
        {
            RemoveFromIndex(group);
        }
    }

    /// <summary>Takes the interest of one account out of its index (it moves to a dedicated route).</summary>
    public void RemoveAccount(Account account)
    {
        List<InterestGroup> removed = new();
        lock (_lock)
        {
            for (int i = _groups.Count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(_groups[i].Account, account))
                {
                    removed.Add(_groups[i]);
                    _groups.RemoveAt(i);
                }
            }
        }

        foreach (var group in removed)
        {
            RemoveFromIndex(group);
        }
    }

    // The group is no longer reachable from _groups, so its set is read without the lock.
    private static void RemoveFromIndex(InterestGroup group)
    {
        foreach (var subscription in group.Subscriptions)
        {
            subscription.Closed = true;
            group.Account.Subscriptions.Remove(subscription);
        }
    }

    // Caller holds _lock.
    private InterestGroup? FindGroup(Account account, ReadOnlySpan<byte> origin)
    {
        foreach (var group in _groups)
        {
            if (ReferenceEquals(group.Account, account) && origin.SequenceEqual(group.Origin))
            {
                return group;
            }
        }

        return null;
    }

    // Caller holds _lock.
    private InterestGroup AddGroup(Account account, ReadOnlySpan<byte> origin)
    {
        var group = new InterestGroup(account, origin.ToArray());
        _groups.Add(group);
        return group;
    }

    /// <summary>The interest of one account from one origin (empty: the peer itself).</summary>
    private sealed class InterestGroup(Account account, byte[] origin)
    {
        public Account Account { get; } = account;

        public byte[] Origin { get; } = origin;

        /// <summary>The origin as text, once per group; null for the peer's own interest.</summary>
        public string? OriginText { get; } = origin.Length == 0 ? null : Encoding.UTF8.GetString(origin);

        public HashSet<Subscription> Subscriptions { get; } = new(SubjectQueueComparer.Instance);
    }
}
