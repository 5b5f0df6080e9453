namespace Modular.Core.Subjects;

/// <summary>
/// Hears every subscription that enters or leaves a <see cref="SubscriptionIndex"/>, whoever owns it:
/// for a connection that keeps its own tally of the account's interest (a leaf node, which must hear
/// of everything but its own subscriptions). Called under the index's interest gate, in order; it
/// must not change the index.
/// </summary>
public interface ISubscriptionWatcher
{
    /// <param name="delta">+1 when <paramref name="subscription"/> was added, -1 when it was removed.</param>
    void OnSubscriptionChanged(Subscription subscription, int delta);

    /// <summary>A peer's queue interest now stands for <paramref name="newWeight"/> members (<see cref="SubscriptionIndex.ChangeWeight"/>).</summary>
    void OnWeightChanged(Subscription subscription, int oldWeight, int newWeight)
    {
    }
}
