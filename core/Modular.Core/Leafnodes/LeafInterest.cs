using System.Text;
using Modular.Core.Accounts;
using Modular.Core.Subjects;

namespace Modular.Core.Leafnodes;

/// <summary>
/// The interest one leaf node connection announces (nats-server's leaf smap): a count per (subject,
/// queue) of the bound account's subscriptions it stands for, LS+ when a subject gets its first and
/// LS- when it loses its last (a queue group's count goes out on every change, as its weight). The
/// hub side stands for every subscription but the connection's own (clients, routes, gateways, other
/// leaf nodes); the spoke side only for this server's own interest (owners that announce theirs:
/// clients and the leaf nodes it is the hub of). The loop-detection subject is always in it.
/// Runs under the account index's interest gate (a watcher), so the dump and the changes stay in order.
/// </summary>
public sealed class LeafInterest : ISubscriptionWatcher
{
    private readonly LeafConnection _connection;
    private readonly bool _hubSide;
    private readonly Dictionary<(string Subject, string? Queue), int> _counts = new();

    public LeafInterest(LeafConnection connection, bool hubSide)
    {
        _connection = connection;
        _hubSide = hubSide;
    }

    /// <summary>Starts watching <paramref name="account"/> and sends the dump: every counted subscription, and <paramref name="loopSubject"/>.</summary>
    public void Start(Account account, string loopSubject)
    {
        account.Subscriptions.Watch(this, all =>
        {
            foreach (var subscription in all)
            {
                if (Counts(subscription))
                {
                    var key = (subscription.SubjectText, subscription.QueueText);
                    _counts[key] = _counts.GetValueOrDefault(key) + Members(subscription);
                }
            }

            var dump = new StringBuilder();
            dump.Append("LS+ ").Append(loopSubject).Append("\r\n");
            foreach (var ((subject, queue), count) in _counts)
            {
                AppendLine(dump, subject, queue, count);
            }

            _connection.SendRaw(Encoding.UTF8.GetBytes(dump.ToString()));
        });
    }

    public void Stop(Account account) => account.Subscriptions.Unwatch(this);

    public void OnSubscriptionChanged(Subscription subscription, int delta)
    {
        if (!Counts(subscription))
        {
            return;
        }

        Change((subscription.SubjectText, subscription.QueueText), delta * Members(subscription));
    }

    public void OnWeightChanged(Subscription subscription, int oldWeight, int newWeight)
    {
        if (subscription.Queue is not null && Counts(subscription))
        {
            Change((subscription.SubjectText, subscription.QueueText), newWeight - oldWeight);
        }
    }

    // A queue interest stands for its weight in members (a route peer's group), as nats-server's qw.
    private static int Members(Subscription subscription) => subscription.Queue is null ? 1 : Math.Max(subscription.Weight, 1);

    private void Change((string SubjectText, string? QueueText) key, int delta)
    {
        var before = _counts.GetValueOrDefault(key);
        if (delta < 0 && before == 0)
        {
            return;
        }

        var after = before + delta;
        if (after > 0)
        {
            _counts[key] = after;
        }
        else
        {
            _counts.Remove(key);
            after = 0;
        }

        // A plain subject goes out on its first subscription and its last; a queue group on every change.
        if (key.QueueText is not null || (before == 0) != (after == 0))
        {
            var line = new StringBuilder();
            AppendLine(line, key.SubjectText, key.QueueText, after);
            _connection.SendRaw(Encoding.UTF8.GetBytes(line.ToString()));
        }
    }

    // Interest of the leaf cluster on the other end (its own through another of our leaf connections, or
    // through a route peer it is attached to) is never told back to it, as nats-server.
    private bool Counts(Subscription subscription) =>
        !ReferenceEquals(subscription.Owner, _connection) && (_hubSide || subscription.Owner.AnnouncesInterest)
        && (subscription.LeafOrigin is null || subscription.LeafOrigin != _connection.RemoteCluster)
        && (_connection.DeniedInterest is not { } denied || !denied.Denies(subscription.Subject));

    private static void AppendLine(StringBuilder line, string subject, string? queue, int count)
    {
        if (count > 0)
        {
            line.Append("LS+ ").Append(subject);
            if (queue is not null)
            {
                line.Append(' ').Append(queue).Append(' ').Append(count);
            }
        }
        else
        {
            line.Append("LS- ").Append(subject);
            if (queue is not null)
            {
                line.Append(' ').Append(queue);
            }
        }

        line.Append("\r\n");
    }
}
