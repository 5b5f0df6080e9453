using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Routes.Interest;
using Modular.Core.Subjects;

namespace Modular.Core.Routes;

// What crosses the route once it is registered: messages (RouteMessageWriter out, RouteMessageReceiver
// in), the peer's interest (kept in RemoteInterest), and the interest we send it.
public sealed partial class RouteConnection
{
    public long InMsgs => _receiver.InMsgs;

    public long InBytes => _receiver.InBytes;

    public long OutMsgs => _writer.OutMsgs;

    public long OutBytes => _writer.OutBytes;

    public long PendingBytes => _output.Buffer.PendingBytes;

    public int RemoteSubscriptionCount => _remoteInterest.Count;

    public IReadOnlyList<Subscription> GetRemoteSubscriptions() => _remoteInterest.GetAll();

    /// <summary>Queues one RMSG (or HMSG) naming the queue groups this peer was picked for.</summary>
    public bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) =>
        // A route pinned to one account carries no account name on the wire.
        _writer.Write(PinnedAccount is null ? account : ReadOnlySpan<byte>.Empty, message, queues, RemoteHeaders, batch);

    /// <summary>Takes the interest of one account learned on this connection out of its index (it moves to a dedicated route).</summary>
    internal void RemoveRemoteSubscriptions(Account account) => _remoteInterest.RemoveAccount(account);

    /// <summary>Queues RS+ (with the queue weight when a queue is given) for one account's interest.</summary>
    internal void SendSubscribe(Account account, string subject, string? queue, int weight) =>
        _output.SendNow(InterestLines.Subscribe(account, PinnedAccount is not null, subject, queue, weight));

    /// <summary>Queues RS- for one account's interest.</summary>
    internal void SendUnsubscribe(Account account, string subject, string? queue) =>
        _output.SendNow(InterestLines.Unsubscribe(account, PinnedAccount is not null, subject, queue));

    /// <summary>Queues a block of protocol lines (an interest dump) in one write.</summary>
    internal void SendRaw(byte[] bytes) => _output.SendNow(bytes);
}
