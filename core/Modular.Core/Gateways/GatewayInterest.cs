using System.Text;
using Modular.Core.Accounts;
using Modular.Core.Subjects;

namespace Modular.Core.Gateways;

/// <summary>
/// Tells other clusters what this cluster wants, on the inbound gateway connections (the side that
/// receives their messages sends the interest). Every account is in interest-only mode from the
/// start, as nats-server 2.9+ does: on registration each account gets INFO gateway_cmd 2, an RS+ per
/// subject and queue group held anywhere in this cluster (queues with weight 1), and gateway_cmd 3;
/// after that RS+ on a subject's first subscription in the cluster and RS- on its last. The events
/// come from the accounts' cluster interest (clients and routes, never another gateway's). Lock
/// order: the account's interest gate (events run under it), then this class's lock, then a
/// connection's output gate.
/// </summary>
public sealed class GatewayInterest
{
    private readonly AccountRegistry _accounts;
    private readonly string _gatewayName;

    // The inbound connections and the accounts whose interest each has been sent (its dump went out).
    private readonly Dictionary<GatewayConnection, HashSet<Account>> _carried = new();

    public GatewayInterest(AccountRegistry accounts, string gatewayName)
    {
        _accounts = accounts;
        _gatewayName = gatewayName;
        accounts.ObserveAccounts(account =>
        {
            account.Subscriptions.ListenToClusterInterest(new AccountListener(this, account));
            foreach (var connection in Connections())
            {
                SendAccount(connection, account);
            }
        });
    }

    /// <summary>An inbound connection registered: it gets every account's interest, and the changes from now on.</summary>
    public void Add(GatewayConnection connection)
    {
        lock (_carried)
        {
            _carried.TryAdd(connection, new HashSet<Account>());
        }

        foreach (var account in _accounts.All)
        {
            SendAccount(connection, account);
        }
    }

    public void Remove(GatewayConnection connection)
    {
        lock (_carried)
        {
            _carried.Remove(connection);
        }
    }

    private List<GatewayConnection> Connections()
    {
        lock (_carried)
        {
            return _carried.Keys.ToList();
        }
    }

    /// <summary>One account's switch to interest-only mode: start command, its whole interest, end command; under its gate.</summary>
    private void SendAccount(GatewayConnection connection, Account account)
    {
        account.Subscriptions.VisitClusterInterest((connection, account, self: this), static (target, interest) =>
        {
            lock (target.self._carried)
            {
                if (!target.self._carried.TryGetValue(target.connection, out var accounts) || !accounts.Add(target.account))
                {
                    return;
                }

                var lines = new StringBuilder();
                lines.Append(Encoding.UTF8.GetString(target.self.Command(GatewayInfo.CommandAllSubsStart, target.account)));
                foreach (var ((subject, queue), _) in interest)
                {
                    AppendSubscribe(lines, target.account, subject, queue);
                }

                lines.Append(Encoding.UTF8.GetString(target.self.Command(GatewayInfo.CommandAllSubsComplete, target.account)));
                target.connection.SendRaw(Encoding.UTF8.GetBytes(lines.ToString()));
            }
        });
    }

    private void OnInterestChanged(Account account, in InterestChange change)
    {
        var line = new StringBuilder();
        if (change.IsLast)
        {
            line.Append("RS- ").Append(account.Name).Append(' ').Append(change.Subject);
            if (change.Queue is not null)
            {
                line.Append(' ').Append(change.Queue);
            }

            line.Append("\r\n");
        }
        else
        {
            AppendSubscribe(line, account, change.Subject, change.Queue);
        }

        var bytes = Encoding.UTF8.GetBytes(line.ToString());
        lock (_carried)
        {
            foreach (var (connection, accounts) in _carried)
            {
                if (accounts.Contains(account))
                {
                    connection.SendRaw(bytes);
                }
            }
        }
    }

    // Gateways carry no queue member counts: a group's RS+ always says 1, as nats-server's.
    private static void AppendSubscribe(StringBuilder line, Account account, string subject, string? queue)
    {
        line.Append("RS+ ").Append(account.Name).Append(' ').Append(subject);
        if (queue is not null)
        {
            line.Append(' ').Append(queue).Append(" 1");
        }

        line.Append("\r\n");
    }

    private byte[] Command(byte command, Account account) => new GatewayInfo
    {
        Gateway = _gatewayName,
        Command = command,
        CommandPayload = account.NameBytes.ToArray(),
    }.ToLine();

    private sealed class AccountListener(GatewayInterest owner, Account account) : IInterestListener
    {
        public void OnInterestChanged(in InterestChange change) => owner.OnInterestChanged(account, change);
    }
}
