using System.Runtime.CompilerServices;
using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Routing;

/// <summary>
/// Decides who gets a message, for every origin: a client's PUB, a route's RMSG, and whatever
/// session kind comes next. Modelled on nats-server's processMsgResults (client.go):
/// <list type="bullet">
/// <item>every local plain subscriber gets it, by sid;</item>
/// <item>every peer connection with matching interest gets one copy, however many of its
/// subscriptions match, naming the queue groups it was picked for;</item>
/// <item>each queue group gets it once cluster-wide: from a local origin, one member picked at
/// random over every member (a peer's queue interest stands for <see cref="Subscription.Weight"/>
/// members); from a peer, only the groups the peer named, served by a local member picked
/// uniformly, or else bounced to another peer that has members;</item>
/// <item>a message that came from a peer never goes to another peer except that bounce (full
/// mesh, one hop);</item>
/// <item>a peer in another cluster (<see cref="IMessagePeer.IsOtherCluster"/>, a gateway) is one
/// more peer for a local origin, except that a queue group goes there only when no member in this
/// cluster can take it (one other cluster is picked); a message from another cluster goes to local
/// subscribers and this cluster's peers, never to another cluster, and the groups it names are
/// served by one member anywhere in this cluster.</item>
/// <item>a message from a leaf cluster (a leaf connection's, or a route's LMSG naming it) never goes to
/// a leaf connection of that same cluster, as plain or queue interest (nats-server's leafOrigin).</item>
/// </list>
/// Who is chosen depends only on the origin's role (local or peer) and each subscription's owner
/// role; what is written is the owner's business. One router per reading connection: it keeps
/// the peer targets for reuse and queues to that connection's flush batch, so it is used by one
/// thread at a time and allocates nothing per message.
/// </summary>
public sealed class MessageRouter
{
    private readonly ISubscriptionOwner _origin;
    private readonly bool _fromPeer;
    private readonly bool _fromOtherCluster;
    private readonly bool _spreadsLikeLocal;
    private readonly FlushBatch _batch;
    private readonly Random _random;
    private readonly PeerTargets _targets = new();

    /// <summary>A router for a local session's messages.</summary>
    /// <param name="random">The queue pick's source; null for the shared one (tests pass a seeded one).</param>
    public MessageRouter(ISubscriber origin, FlushBatch batch, Random? random = null)
        : this(origin, fromPeer: false, batch, random)
    {
    }

    /// <summary>A router for messages a peer server sent.</summary>
    public MessageRouter(IMessagePeer origin, FlushBatch batch, Random? random = null)
        : this(origin, fromPeer: true, batch, random)
    {
    }

    private MessageRouter(ISubscriptionOwner origin, bool fromPeer, FlushBatch batch, Random? random)
    {
        _origin = origin;
        _fromPeer = fromPeer;
        _fromOtherCluster = fromPeer && ((IMessagePeer)origin).IsOtherCluster;
        _spreadsLikeLocal = fromPeer && ((IMessagePeer)origin).SpreadsLikeLocal;
        _batch = batch;
        _random = random ?? Random.Shared;
    }

    /// <summary>
    /// Queues <paramref name="message"/> (published in <paramref name="account"/>) to everyone
    /// who should get it; the connections are flushed with the origin's batch.
    /// </summary>
    /// <param name="echo">False when a local origin asked not to get its own messages (CONNECT echo:false).</param>
    /// <param name="namedQueues">From a peer: the queue groups it picked this server for, space separated
    /// (the RMSG's queue list); empty means none. A local origin's message goes to every group.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public RoutingResult Route(Account account, in OutboundMessage message, bool echo = true, ReadOnlySpan<byte> namedQueues = default)
    {
        var match = account.Subscriptions.Match(message.Subject);
        var skipOwner = echo || _fromPeer ? null : _origin;
        var delivered = false;
        var copies = 0;

        var plain = match.Plain;
        for (var i = 0; i < plain.Length; i++)
        {
            var subscription = plain[i];
            if (subscription.Peer is { } peer)
            {
                if (Takes(peer, message))
                {
                    _targets.AddPlain(peer);
                }

                continue;
            }

            if (!ReferenceEquals(subscription.Owner, skipOwner) && subscription.Subscriber!.Deliver(subscription, message, _batch))
            {
                delivered = true;
                copies++;
            }
        }

        var groups = match.QueueGroups;
        if (!_fromPeer)
        {
            for (var g = 0; g < groups.Length; g++)
            {
                delivered |= PickClusterWide(groups[g], message, skipOwner, otherClusterFallback: true, ref copies);
            }
        }
        else if (!namedQueues.IsEmpty)
        {
            for (var g = 0; g < groups.Length; g++)
            {
                if (IsNamed(groups[g][0].Queue!, namedQueues))
                {
                    // Another cluster picked this one for the group: any member here; a leaf node that dialed us:
                    // any member here or elsewhere, as a client's; a route picked this server: a local one.
                    delivered |= _fromOtherCluster
                        ? PickClusterWide(groups[g], message, skipOwner: null, otherClusterFallback: false, ref copies)
                        : _spreadsLikeLocal
                            ? PickClusterWide(groups[g], message, skipOwner: _origin, otherClusterFallback: true, ref copies)
                            : PickLocalOrBounce(groups[g], message, ref copies);
                }
            }
        }

        if (!_targets.IsEmpty)
        {
            var sent = _targets.SendAll(account.NameBytes, message, _batch);
            delivered |= sent > 0;
            copies += sent;
        }

        return new RoutingResult(delivered, copies);
    }

    /// <summary>
    /// Whether a peer with plain interest gets a copy: from a local origin (or a leaf node spreading
    /// like one) every peer but the origin; from another cluster this cluster's peers; from a route
    /// only peers outside the mesh that this server is the hub of (one hop inside the mesh).
    /// </summary>
    private bool Takes(IMessagePeer peer, in OutboundMessage message)
    {
        if (IsLeafOrigin(peer, message))
        {
            return false;
        }

        if (!_fromPeer)
        {
            return true;
        }

        if (ReferenceEquals(peer, _origin))
        {
            return false;
        }

        if (_spreadsLikeLocal)
        {
            return true;
        }

        return _fromOtherCluster ? !peer.IsOtherCluster : peer.TakesMeshTraffic;
    }

    /// <summary>
    /// One member of the group, uniformly at random over every member cluster-wide: a peer's
    /// queue interest stands for as many members as its weight, and a peer picked gets the
    /// message at once. A local pick that cannot take the message passes it to the next member.
    /// Members in other clusters are not in the draw; with <paramref name="otherClusterFallback"/>
    /// the first of them gets the message when no member in this cluster could.
    /// </summary>
    private bool PickClusterWide(Subscription[] members, in OutboundMessage message, ISubscriptionOwner? skipOwner, bool otherClusterFallback, ref int copies)
    {
        var total = 0;
        for (var i = 0; i < members.Length; i++)
        {
            if (!InOtherCluster(members[i]))
            {
                total += members[i].Weight;
            }
        }

        var pick = total <= 1 ? 0 : _random.Next(total);
        var start = 0;
        while (start < members.Length - 1 && (InOtherCluster(members[start]) || pick >= members[start].Weight))
        {
            if (!InOtherCluster(members[start]))
            {
                pick -= members[start].Weight;
            }

            start++;
        }

        IMessagePeer? otherCluster = null;
        for (var n = 0; n < members.Length; n++)
        {
            var member = members[(start + n) % members.Length];
            if (member.Closed || ReferenceEquals(member.Owner, skipOwner))
            {
                continue;
            }

            if (member.Peer is { } peer)
            {
                if (IsLeafOrigin(peer, message))
                {
                    continue;
                }

                if (peer.IsQueueFallback)
                {
                    otherCluster ??= peer;
                    continue;
                }

                _targets.AddQueue(peer, member.Queue!);
                return true;
            }

            if (member.Subscriber!.Deliver(member, message, _batch))
            {
                copies++;
                return true;
            }
        }

        if (otherCluster is null || !otherClusterFallback)
        {
            return false;
        }

        _targets.AddQueue(otherCluster, members[0].Queue!);
        return true;
    }

    /// <summary>The peer is a leaf node connection to the leaf cluster the message came from.</summary>
    private static bool IsLeafOrigin(IMessagePeer peer, in OutboundMessage message) =>
        !message.LeafOrigin.IsEmpty && message.LeafOrigin.SequenceEqual(peer.RemoteLeafCluster);

    private static bool InOtherCluster(Subscription member) => member.Peer is { } peer && peer.IsQueueFallback;

    /// <summary>
    /// A group a peer picked this server for: a local member, uniformly at random among the local
    /// ones (the peer already did the cluster-wide pick); when none can take it, the first other
    /// peer with members gets it (the queue bounce, as nats-server's rsub). Never back to the origin.
    /// </summary>
    private bool PickLocalOrBounce(Subscription[] members, in OutboundMessage message, ref int copies)
    {
        var locals = 0;
        IMessagePeer? bounce = null;
        for (var i = 0; i < members.Length; i++)
        {
            var member = members[i];
            if (member.Closed)
            {
                continue;
            }

            if (member.Peer is not { } peer)
            {
                locals++;
            }
            else if (bounce is null && !ReferenceEquals(peer, _origin) && !peer.IsOtherCluster && !IsLeafOrigin(peer, message))
            {
                bounce = peer;
            }
        }

        if (locals > 0)
        {
            var start = StartOfLocal(members, locals == 1 ? 0 : _random.Next(locals));
            for (var n = 0; n < members.Length; n++)
            {
                var member = members[(start + n) % members.Length];
                if (member.Subscriber is { } subscriber && !member.Closed && subscriber.Deliver(member, message, _batch))
                {
                    copies++;
                    return true;
                }
            }
        }

        if (bounce is null)
        {
            return false;
        }

        _targets.AddQueue(bounce, members[0].Queue!);
        return true;
    }

    /// <summary>The index of the <paramref name="nth"/> open local member (0-based).</summary>
    private static int StartOfLocal(Subscription[] members, int nth)
    {
        for (var i = 0; i < members.Length; i++)
        {
            if (members[i].Peer is null && !members[i].Closed && nth-- == 0)
            {
                return i;
            }
        }

        return 0;
    }

    private static bool IsNamed(ReadOnlySpan<byte> queue, ReadOnlySpan<byte> names)
    {
        while (!names.IsEmpty)
        {
            var end = names.IndexOf((byte)' ');
            var name = end < 0 ? names : names[..end];
            if (name.SequenceEqual(queue))
            {
                return true;
            }

            names = end < 0 ? default : names[(end + 1)..];
        }

        return false;
    }
}
