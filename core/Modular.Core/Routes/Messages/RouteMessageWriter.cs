using System.Runtime.CompilerServices;
using Modular.Core.Delivery;

namespace Modular.Core.Routes.Messages;

/// <summary>
/// The output side of one route's messages: encodes RMSG/HMSG into the connection's buffer, one
/// copy per message, and counts what went out. Allocates nothing per message.
/// </summary>
/// <param name="leafVerb">A leaf node connection: a message without headers is LMSG, not RMSG.</param>
public sealed class RouteMessageWriter(ConnectionOutput output, Action<RouteCloseReason> onSlowConsumer, bool leafVerb = false)
{
    private long _outMsgs;
    private long _outBytes;

    public long OutMsgs => Volatile.Read(ref _outMsgs);

    public long OutBytes => Volatile.Read(ref _outBytes);

    /// <summary>Queues one RMSG (or HMSG) naming the queue groups the peer was picked for; false when the route is closing or fell behind.</summary>
    /// <param name="account">The account name on the wire: empty on a route pinned to one account.</param>
    /// <param name="peerTakesHeaders">The peer said headers:true; else it gets the body only, as nats-server strips them.</param>
    /// <param name="replyPrefix">Written before a non-empty reply (a gateway's <c>_GR_.</c> prefix); empty on routes.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    /// <param name="leafOrigin">The leaf origin cluster to name in an LMSG (a peer that said lnoc); empty: RMSG/HMSG.</param>
    public bool Write(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, bool peerTakesHeaders, FlushBatch batch, ReadOnlySpan<byte> replyPrefix = default, ReadOnlySpan<byte> leafOrigin = default)
    {
        var withHeaders = (message.HeaderSize > 0 && peerTakesHeaders) || !leafOrigin.IsEmpty;
        var payload = message.HeaderSize > 0 && !withHeaders ? message.Payload.Slice(message.HeaderSize) : message.Payload;
        var replyLength = message.Reply.IsEmpty ? 0 : replyPrefix.Length + message.Reply.Length;
        var length = RouteMessageEncoder.Length(account.Length, message.Subject.Length, replyLength, queues, message.HeaderSize, (int)payload.Length, withHeaders, leafOrigin.Length);
        lock (output.Gate)
        {
            if (output.IsClosing)
            {
                return false;
            }

            if (!output.Buffer.TryReserve(length, out var destination))
            {
                onSlowConsumer(RouteCloseReason.SlowConsumerPendingBytes);
                return false;
            }

            RouteMessageEncoder.Write(destination, account, message.Subject, replyPrefix, message.Reply, queues, message.HeaderSize, payload, withHeaders, leafOrigin);
            if (leafVerb && !withHeaders)
            {
                destination[0] = (byte)'L';
            }

            output.Buffer.Commit(length);
            _outMsgs++;
            _outBytes += payload.Length;
            output.QueueFlushLocked(batch);
        }

        return true;
    }
}
