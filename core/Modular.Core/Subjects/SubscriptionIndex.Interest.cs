namespace Modular.Core.Subjects;

// Local interest and its events: a count per (subject, queue, leaf origin) of the subscriptions whose owner
// announces its interest (clients; not routes, whose interest came from the cluster). The interest
// gate is taken before the trie lock, never inside it, and is held while the listener runs.
public sealed partial class SubscriptionIndex
{
    private readonly Lock _interestGate = new();
    private readonly Dictionary<LocalInterestKey, int> _localInterest = new();
    private IInterestListener? _interestListener;

    /// <summary>Sends first/last-interest events to <paramref name="listener"/> from now on (one listener: the cluster).</summary>
    public void ListenToInterest(IInterestListener listener)
    {
        lock (_interestGate)
        {
            _interestListener = listener;
        }
    }

    /// <summary>
    /// Runs <paramref name="visit"/> with every local interest and its count, under the interest
    /// gate: no event comes between, so a dump it sends and the events after it stay in order.
    /// </summary>
    public void VisitLocalInterest<TState>(TState state, Action<TState, IReadOnlyDictionary<LocalInterestKey, int>> visit)
    {
        lock (_interestGate)
        {
            visit(state, _localInterest);
        }
    }

    /// <summary>Counts a local subscription in (+1) or out (-1) and raises the event it causes. Under the interest gate.</summary>
    private void CountLocalInterest(Subscription subscription, int delta)
    {
        var key = new LocalInterestKey(subscription.Subject, subscription.Queue, subscription.Owner.LeafOrigin);
        var count = _localInterest.GetValueOrDefault(key) + delta;
        if (count <= 0)
        {
            _localInterest.Remove(key);
            count = 0;
        }
        else
        {
            _localInterest[key] = count;
        }

        // A plain subject is announced once, on its first subscriber, and withdrawn on its last;
        // a queue group's member count (its weight) goes out on every change.
        var raise = key.Queue is not null || (delta > 0 ? count == 1 : count == 0);
        if (raise)
        {
            _interestListener?.OnInterestChanged(new InterestChange(key.SubjectText, key.QueueText, count, key.Origin));
        }
    }
}
