using System.Text;
using Modular.Core.Accounts;
using Modular.Core.Routes.Peers;
using Modular.Core.Subjects;

namespace Modular.Core.Routes.Interest;

/// <summary>
/// Tells peers what our clients want (protocol.md §7.1, §7.2). It listens to every account's
/// subscription index: RS+ on a plain subject's first local subscriber, RS- on its last; a queue's
/// RS+ carries the local member count and is resent on each change. A full dump of an account's
/// interest goes to each connection that starts carrying it. One connection per peer carries an
/// account (see <see cref="PeerRegistry.Carries"/>). Lock order: the account's interest gate (the
/// events run under it), then the registry lock, then a connection's output gate.
/// </summary>
public sealed class InterestPropagator
{
    private readonly PeerRegistry _registry;
    private readonly AccountRegistry _accounts;

    public InterestPropagator(PeerRegistry registry, AccountRegistry accounts)
    {
        _registry = registry;
        _accounts = accounts;
        accounts.ObserveAccounts(account => account.Subscriptions.ListenToInterest(new AccountListener(this, account)));
    }

    private void OnInterestChanged(Account account, in InterestChange change)
    {
        foreach (var route in RoutesCarrying(account))
        {
            if (change.IsLast)
            {
                route.SendUnsubscribe(account, change.Subject, change.Queue, change.Origin);
            }
            else
            {
                route.SendSubscribe(account, change.Subject, change.Queue, change.Count, change.Origin);
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
        foreach (var account in only is null ? _accounts.All : [only])
        {
            if (!_registry.Carries(route, account))
            {
                continue;
            }

            account.Subscriptions.VisitLocalInterest((route, account), static (target, interest) =>
            {
                var lines = new StringBuilder();
                foreach (var (key, count) in interest)
                {
                    InterestLines.AppendSubscribe(lines, target.account, target.route.PinnedAccount is not null, key.SubjectText, key.QueueText, count, target.route.LeafOriginFor(key.Origin));
                }

                if (lines.Length > 0)
                {
                    target.route.SendRaw(Encoding.UTF8.GetBytes(lines.ToString()));
                }
            });
        }
    }

    /// <summary>One account's events, passed on with the account they belong to.</summary>
    private sealed class AccountListener(InterestPropagator propagator, Account account) : IInterestListener
    {
        public void OnInterestChanged(in InterestChange change) => propagator.OnInterestChanged(account, change);
    }
}
