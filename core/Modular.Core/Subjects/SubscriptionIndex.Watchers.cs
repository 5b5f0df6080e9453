namespace Modular.Core.Subjects;

// Watchers: connections told of every subscription in and out (leaf nodes), under the same interest
// gate as the interest events, so the snapshot a watcher starts from and the changes after it stay in order.
public sealed partial class SubscriptionIndex
{
    private ISubscriptionWatcher[]? _watchers;

    /// <summary>
    /// Tells <paramref name="watcher"/> of every subscription change from now on, after running
    /// <paramref name="snapshot"/> with the subscriptions held now; both under the interest gate.
    /// </summary>
    /// <remarks>
    /// An index without interest counting or watchers adds a subscription without the gate; one added
    /// that way while the first watcher registers may be missed by it (a window of one insert).
    /// </remarks>
    public void Watch(ISubscriptionWatcher watcher, Action<IReadOnlyList<Subscription>> snapshot)
    {
        lock (_interestGate)
        {
            var current = _watchers ?? [];
            Volatile.Write(ref _watchers, [.. current, watcher]);
            snapshot(GetAll());
        }
    }

    public void Unwatch(ISubscriptionWatcher watcher)
    {
        lock (_interestGate)
        {
            if (_watchers is { } current)
            {
                Volatile.Write(ref _watchers, current.Where(w => !ReferenceEquals(w, watcher)).ToArray());
            }
        }
    }

    private bool HasWatchers => Volatile.Read(ref _watchers) is not null;

    /// <summary>
    /// Sets how many members a peer's queue interest stands for (a route's RS+ weight, changed in place)
    /// and tells the watchers, under the interest gate, so a watcher's tally of weights stays exact.
    /// </summary>
    public void ChangeWeight(Subscription subscription, int weight)
    {
        lock (_interestGate)
        {
            var old = subscription.Weight;
            subscription.Weight = weight;
            if (old != weight && !subscription.Closed && _watchers is { Length: > 0 } watchers)
            {
                foreach (var watcher in watchers)
                {
                    watcher.OnWeightChanged(subscription, old, weight);
                }
            }
        }
    }

    /// <summary>Under the interest gate.</summary>
    private void NotifyWatchers(Subscription subscription, int delta)
    {
        if (_watchers is not { Length: > 0 } watchers)
        {
            return;
        }

        foreach (var watcher in watchers)
        {
            watcher.OnSubscriptionChanged(subscription, delta);
        }
    }
}
