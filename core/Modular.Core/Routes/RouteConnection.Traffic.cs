using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Routes.Interest;
using Modular.Core.Subjects;

namespace Modular.Core.Routes;

// What crosses the route once it is registered: messages (RouteMessageWriter out, RouteMessageReceiver
// in), the peer's interest (kept in RemoteInterest), and the interest we send it.
public sealed partial class RouteConnection
{
    /// <summary>Queues one RMSG (or HMSG) naming the queue groups this peer was picked for.</summary>
    public override bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) =>
        // A route pinned to one account carries no account name on the wire.
        Writer.Write(PinnedAccount is null ? account : ReadOnlySpan<byte>.Empty, message, queues, RemoteHeaders, batch, default, _peerTakesLeafOrigin ? message.LeafOrigin : default);

    /// <summary>Takes the interest of one account learned on this connection out of its index (it moves to a dedicated route).</summary>
    internal void RemoveRemoteSubscriptions(Account account) => RemoteInterest.RemoveAccount(account);

    /// <summary>Queues RS+ (with the queue weight when a queue is given) for one account's interest; LS+ for a leaf's, to a peer that said lnoc.</summary>
    internal void SendSubscribe(Account account, string subject, string? queue, int weight, string? origin = null)
    {
        var line = new System.Text.StringBuilder();
        InterestLines.AppendSubscribe(line, account, PinnedAccount is not null, subject, queue, weight, LeafOriginFor(origin));
        Output.SendNow(System.Text.Encoding.UTF8.GetBytes(line.ToString()));
    }

    /// <summary>Queues RS- for one account's interest; LS- for a leaf's, to a peer that said lnoc.</summary>
    internal void SendUnsubscribe(Account account, string subject, string? queue, string? origin = null) =>
        Output.SendNow(InterestLines.Unsubscribe(account, PinnedAccount is not null, subject, queue, LeafOriginFor(origin), RemoteInfo?.Lnocu ?? false));

    /// <summary>A leaf's origin cluster when the peer understands LS+ (lnoc); null (plain RS+) otherwise, as nats-server.</summary>
    internal string? LeafOriginFor(string? origin) => origin is not null && (RemoteInfo?.Lnoc ?? false) ? origin : null;
}
