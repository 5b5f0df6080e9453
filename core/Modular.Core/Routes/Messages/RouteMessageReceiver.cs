using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Modular.Core.Delivery;
using Modular.Core.Routes.Interest;

namespace Modular.Core.Routes.Messages;

/// <summary>
/// The input side of one route's messages: RMSG/HMSG from the peer, counted and handed to the
/// router (delivered locally, never forwarded to other routes except the queue bounce). Used by
/// the read loop only; the totals are published to the server once per read batch.
/// </summary>
/// <remarks>A gateway's inbound side is the same: RMSG/HMSG from another cluster, handed to a router built for that origin.</remarks>
public sealed class RouteMessageReceiver(Routing.MessageRouter router, RemoteInterest interest, IClusterHost server, ILogger logger, ulong id)
{
    private long _inMsgs;
    private long _inBytes;
    private long _batchInMsgs;
    private long _batchInBytes;

    public long InMsgs => Volatile.Read(ref _inMsgs);

    /// <summary>Set on a clustered leaf's connection (hub side): its messages name it to route peers that say lnoc.</summary>
    public byte[]? LeafOrigin { get; set; }

    public long InBytes => Volatile.Read(ref _inBytes);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    /// <returns>False when the account is not known here (a gateway answers A-).</returns>
    public bool Receive(ref RouteCommand command)
    {
        var account = interest.Resolve(command.Account);
        _inMsgs++;
        _inBytes += command.TotalSize;
        _batchInMsgs++;
        _batchInBytes += command.TotalSize;
        if (account is null)
        {
            logger.LogDebug("rid:{rid} - dropping a routed message for an unknown account", id);
            return false;
        }

        // Local subscribers and the queue groups the peer named; never on to another route except a queue bounce.
        // A route's LMSG names the leaf cluster the message came from: it must not go back to that cluster's leaf nodes.
        // A reply routed back across a gateway (_GR_.<cluster>.<server>.<reply>) is delivered as the reply it stands for.
        var message = new OutboundMessage(Gateways.GatewayReply.Unwrap(command.Subject), command.Reply, command.HeaderSize, command.Payload) { LeafOrigin = LeafOrigin ?? command.Origin };
        router.Route(account, message, namedQueues: command.Queues);
        return true;
    }

    /// <summary>Publishes the batch's inbound counters to the server totals.</summary>
    public void PublishBatch()
    {
        if (_batchInMsgs != 0)
        {
            server.RouteStatistics.AddInbound(_batchInMsgs, _batchInBytes);
            _batchInMsgs = _batchInBytes = 0;
        }
    }
}
