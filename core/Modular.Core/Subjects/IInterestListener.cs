namespace Modular.Core.Subjects;

/// <summary>
/// Hears a <see cref="SubscriptionIndex"/>'s first-interest / last-interest events (the cluster
/// tells its peers). Called under the index's interest gate, in the order of the changes, so
/// what it sends keeps that order; it must not change the index.
/// </summary>
public interface IInterestListener
{
    void OnInterestChanged(in InterestChange change);
}
