using System.Collections.Concurrent;
using System.Text;
using Modular.Core.Accounts;
using Modular.Core.Routes.Peers;
using Modular.Core.Subjects;

namespace Modular.Core.Routes.Interest;

/// <summary>
/// Tells peers what our clients want (protocol.md §7.1, §7.2): RS+ on a plain subject's first local
/// subscriber, RS- on its last; a queue's RS+ carries the local member count and is resent on each
/// change; a full dump of an account's interest goes to each connection that starts carrying it.
/// One connection per peer carries an account (see <see cref="PeerRegistry.ConnectionFor"/>).
/// Lock order: the account's interest gate, then the registry lock, then a connection's output gate.
/// </summary>
public sealed class InterestPropagator
{
    private readonly ConcurrentDictionary<Account, AccountInterest> _interest = new();
    private readonly PeerRegistry _registry;

    public InterestPropagator(PeerRegistry registry)
    {
        _registry = registry;
    }

    /// <summary>A local client subscribed.</summary>
    public void OnLocalSubscriptionAdded(Account account, Subscription subscription)
    {
        var interest = _interest.GetOrAdd(account, static _ => new AccountInterest());
        var key = (subscription.SubjectText, subscription.QueueText);
        lock (interest.Gate)
        {
            var count = interest.Counts.GetValueOrDefault(key) + 1;
            interest.Counts[key] = count;
            if (key.QueueText is null && count > 1)
            {
                return; // plain interest was already announced
            }

            foreach (var route in RoutesCarrying(account))
            {
                route.SendSubscribe(account, key.SubjectText, key.QueueText, count);
            }
        }
    }

    /// <summary>A local client's subscription went away (unsubscribe, auto-unsubscribe or disconnect).</summary>
    public void OnLocalSubscriptionRemoved(Account account, Subscription subscription)
    {
        if (!_interest.TryGetValue(account, out var interest))
        {
            return;
        }

        var key = (subscription.SubjectText, subscription.QueueText);
        lock (interest.Gate)
        {
            if (!interest.Counts.TryGetValue(key, out var count))
            {
                return;
            }

            count--;
            if (count == 0)
            {
                interest.Counts.Remove(key);
            }
            else
            {
                interest.Counts[key] = count;
                if (key.QueueText is null)
                {
                    return; // other local subscribers still want it
                }
            }

            foreach (var route in RoutesCarrying(account))
            {
                if (count == 0)
                {
                    route.SendUnsubscribe(account, key.SubjectText, key.QueueText);
                }
                else
                {
                    route.SendSubscribe(account, key.SubjectText, key.QueueText, count);
                }
            }
        }
    }

    /// <summary>Sends an account's whole interest on every connection that now carries it.</summary>
    public void Resend(Account account)
    {
        foreach (var route in RoutesCarrying(account))
        {
            SendDump(route, account);
        }
    }

    private List<RouteConnection> RoutesCarrying(Account account)
    {
        var routes = new List<RouteConnection>();
        _registry.CollectCarriers(account, routes);
        return routes;
    }

    /// <summary>
    /// Sends a connection every interest it carries (or only <paramref name="only"/>'s), in one write
    /// per account: on registration, or when it takes over an account.
    /// </summary>
    public void SendDump(RouteConnection route, Account? only = null)
    {
        foreach (var (account, interest) in _interest)
        {
            if ((only is not null && account != only) || !_registry.Carries(route, account))
            {
                continue;
            }

            var lines = new StringBuilder();
            lock (interest.Gate)
            {
                foreach (var ((subject, queue), count) in interest.Counts)
                {
                    InterestLines.AppendSubscribe(lines, account, route.PinnedAccount is not null, subject, queue, count);
                }

                if (lines.Length > 0)
                {
                    route.SendRaw(Encoding.UTF8.GetBytes(lines.ToString()));
                }
            }
        }
    }
}
