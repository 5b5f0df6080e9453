namespace Modular.Core.Subjects;

// Cluster interest and its events, for the gateways: a count per (subject, queue) of the
// subscriptions this cluster holds (clients' and routes'; not a gateway's, which belong to another
// cluster). Kept only once a listener asks (a server with a [gateway]), so a server without
// gateways pays nothing. Same interest gate and order as the local interest.
public sealed partial class SubscriptionIndex
{
    private Dictionary<(string Subject, string? Queue), int>? _clusterInterest;
    private IInterestListener? _clusterInterestListener;

    /// <summary>
    /// Sends first/last cluster-interest events to <paramref name="listener"/> from now on (one
    /// listener: the gateways). A plain subject is raised on its first subscription in the cluster
    /// and its last; a queue group likewise (gateways carry no member counts). Call before the account
    /// has subscriptions: those already in the index are not counted.
    /// </summary>
    public void ListenToClusterInterest(IInterestListener listener)
    {
        lock (_interestGate)
        {
            _clusterInterest ??= new Dictionary<(string Subject, string? Queue), int>();
            _clusterInterestListener = listener;
        }
    }

    /// <summary>Runs <paramref name="visit"/> with every cluster interest, under the interest gate (see <see cref="VisitLocalInterest{TState}"/>).</summary>
    public void VisitClusterInterest<TState>(TState state, Action<TState, IReadOnlyDictionary<(string Subject, string? Queue), int>> visit)
    {
        lock (_interestGate)
        {
            visit(state, _clusterInterest ?? (IReadOnlyDictionary<(string Subject, string? Queue), int>)new Dictionary<(string Subject, string? Queue), int>());
        }
    }

    private bool TracksClusterInterest(Subscription subscription) =>
        Volatile.Read(ref _clusterInterest) is not null && subscription.Owner.IsClusterInterest;

    /// <summary>Counts a subscription of this cluster in (+1) or out (-1) and raises the event it causes. Under the interest gate.</summary>
    private void CountClusterInterest(Subscription subscription, int delta)
    {
        var interest = _clusterInterest!;
        var key = (subscription.SubjectText, subscription.QueueText);
        var count = interest.GetValueOrDefault(key) + delta;
        if (count <= 0)
        {
            if (!interest.Remove(key))
            {
                return;
            }

            count = 0;
        }
        else
        {
            interest[key] = count;
        }

        if (delta > 0 ? count == 1 : count == 0)
        {
            _clusterInterestListener?.OnInterestChanged(new InterestChange(key.SubjectText, key.QueueText, count));
        }
    }
}
