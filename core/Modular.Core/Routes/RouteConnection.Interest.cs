using Modular.Core.Accounts;
using Modular.Core.Routes.Interest;
using Modular.Core.Subjects;

namespace Modular.Core.Routes;

// Interest the peer registers with us (kept in RemoteInterest), and interest we send it.
public sealed partial class RouteConnection
{
    public int RemoteSubscriptionCount => _remoteInterest.Count;

    public IReadOnlyList<Subscription> GetRemoteSubscriptions() => _remoteInterest.GetAll();

    private Account? ResolveAccount(ReadOnlySpan<byte> name) => _remoteInterest.Resolve(name);

    /// <summary>Takes the interest of one account learned on this connection out of its index (it moves to a dedicated route).</summary>
    internal void RemoveRemoteSubscriptions(Account account) => _remoteInterest.RemoveAccount(account);

    /// <summary>Queues RS+ (with the queue weight when a queue is given) for one account's interest.</summary>
    internal void SendSubscribe(Account account, string subject, string? queue, int weight) =>
        _output.SendNow(InterestLines.Subscribe(account, PinnedAccount is not null, subject, queue, weight));

    /// <summary>Queues RS- for one account's interest.</summary>
    internal void SendUnsubscribe(Account account, string subject, string? queue) =>
        _output.SendNow(InterestLines.Unsubscribe(account, PinnedAccount is not null, subject, queue));
}
