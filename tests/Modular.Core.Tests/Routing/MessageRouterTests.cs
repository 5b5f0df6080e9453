using System.Buffers;
using System.Text;
using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Routing;
using Modular.Core.Subjects;

namespace Modular.Core.Tests.Routing;

/// <summary>The router alone, with fake owners: who gets a message, for a local and a peer origin.</summary>
public partial class MessageRouterTests
{
    private const string Subject = "orders.new";

    private readonly Account _account = new("ACC");
    private readonly FlushBatch _batch = new();

    [Fact]
    public void Route_PlainSubscribers_EachSubscriptionGetsOneMessage()
    {
        var publisher = new FakeSubscriber(1);
        var a = new FakeSubscriber(2);
        var b = new FakeSubscriber(3);
        Subscribe(a.Subscribe(Subject), a.Subscribe("orders.*"), b.Subscribe(">"));

        var result = Route(new MessageRouter(publisher, _batch));

        Assert.Equal(2, a.Count);
        Assert.Equal(1, b.Count);
        Assert.Equal(0, publisher.Count);
        Assert.Equal(new RoutingResult(Delivered: true, Copies: 3), result);
    }

    [Fact]
    public void Route_NoInterest_NotDelivered()
    {
        var publisher = new FakeSubscriber(1);
        var other = new FakeSubscriber(2);
        Subscribe(other.Subscribe("other.subject"));

        var result = Route(new MessageRouter(publisher, _batch));

        Assert.Equal(new RoutingResult(Delivered: false, Copies: 0), result);
        Assert.Equal(0, other.Count);
    }

    [Fact]
    public void Route_PeerWithSeveralMatchingSubscriptions_GetsOneCopyPerConnection()
    {
        var publisher = new FakeSubscriber(1);
        var peerA = new FakePeer(10);
        var peerB = new FakePeer(11);
        Subscribe(peerA.Interest(Subject), peerA.Interest("orders.*"), peerA.Interest(">"), peerB.Interest("orders.>"));

        var result = Route(new MessageRouter(publisher, _batch));

        Assert.Equal([("ACC", "")], peerA.Copies);
        Assert.Equal([("ACC", "")], peerB.Copies);
        Assert.Equal(new RoutingResult(Delivered: true, Copies: 2), result);
    }

    [Fact]
    public void Route_PeerWithPlainInterestPickedForQueue_GetsOneCopyNamingTheQueue()
    {
        var publisher = new FakeSubscriber(1);
        var peer = new FakePeer(10);
        Subscribe(peer.Interest(Subject), peer.Interest(Subject, "workers"), peer.Interest(">", "audit"));

        var result = Route(new MessageRouter(publisher, _batch));

        var copy = Assert.Single(peer.Copies);
        Assert.Equal("ACC", copy.Account);
        Assert.Equal(["audit", "workers"], copy.Queues.Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal(1, result.Copies);
    }

    [Fact]
    public void Route_QueueGroupFromLocalOrigin_PicksWeightedByPeerMemberCount()
    {
        // One local member and a peer standing for three: the peer should get about 3 messages in 4.
        var publisher = new FakeSubscriber(1);
        var local = new FakeSubscriber(2);
        var peer = new FakePeer(10);
        Subscribe(local.Subscribe(Subject, "workers"), peer.Interest(Subject, "workers", weight: 3));
        var router = new MessageRouter(publisher, _batch, new Random(20261204));

        const int Messages = 8000;
        for (var i = 0; i < Messages; i++)
        {
            var result = Route(router);
            Assert.Equal(new RoutingResult(Delivered: true, Copies: 1), result);
        }

        Assert.Equal(Messages, local.Count + peer.Count);
        var peerShare = peer.Count / (double)Messages;
        Assert.InRange(peerShare, 0.72, 0.78); // unweighted it would be 0.5
        Assert.All(peer.Copies, copy => Assert.Equal("workers", copy.Queues));
    }

    [Fact]
    public void Route_QueueGroupFromLocalOrigin_OneMemberPerGroup()
    {
        var publisher = new FakeSubscriber(1);
        var a = new FakeSubscriber(2);
        var b = new FakeSubscriber(3);
        Subscribe(a.Subscribe(Subject, "workers"), b.Subscribe(Subject, "workers"), a.Subscribe(">", "audit"), b.Subscribe(">", "audit"));

        var result = Route(new MessageRouter(publisher, _batch));

        Assert.Equal(2, a.Count + b.Count);
        Assert.Single(a.Delivered.Concat(b.Delivered), s => s.QueueText == "workers");
        Assert.Single(a.Delivered.Concat(b.Delivered), s => s.QueueText == "audit");
        Assert.Equal(2, result.Copies);
    }

    [Fact]
    public void Route_PickedLocalMemberRefuses_NextMemberTakesIt()
    {
        var publisher = new FakeSubscriber(1);
        var refusing = new FakeSubscriber(2) { Accepts = false };
        var taking = new FakeSubscriber(3);
        Subscribe(refusing.Subscribe(Subject, "workers"), taking.Subscribe(Subject, "workers"));
        var router = new MessageRouter(publisher, _batch, new Random(7));

        for (var i = 0; i < 50; i++)
        {
            Assert.True(Route(router).Delivered);
        }

        Assert.Equal(50, taking.Count);
    }

    [Fact]
    public void Route_EchoOff_SkipsTheOriginsOwnSubscriptions()
    {
        var publisher = new FakeSubscriber(1);
        var other = new FakeSubscriber(2);
        Subscribe(publisher.Subscribe(Subject), publisher.Subscribe(Subject, "mine"), other.Subscribe(Subject));
        var router = new MessageRouter(publisher, _batch);

        var withoutEcho = router.Route(_account, Message(), echo: false);

        Assert.Equal(0, publisher.Count);
        Assert.Equal(1, other.Count);
        Assert.Equal(new RoutingResult(Delivered: true, Copies: 1), withoutEcho);

        var withEcho = router.Route(_account, Message(), echo: true);

        Assert.Equal(2, publisher.Count);
        Assert.Equal(3, withEcho.Copies);
    }

    [Fact]
    public void Route_EchoOffAndOnlyOwnQueueMember_NotDelivered()
    {
        var publisher = new FakeSubscriber(1);
        Subscribe(publisher.Subscribe(Subject, "workers"));

        var result = new MessageRouter(publisher, _batch).Route(_account, Message(), echo: false);

        Assert.Equal(new RoutingResult(Delivered: false, Copies: 0), result);
    }

    [Fact]
    public void Route_FromPeer_DeliveredLocallyAndNeverToAnotherPeer()
    {
        var origin = new FakePeer(10);
        var otherPeer = new FakePeer(11);
        var local = new FakeSubscriber(2);
        Subscribe(local.Subscribe(Subject), otherPeer.Interest(Subject), origin.Interest(Subject), otherPeer.Interest(Subject, "workers"));

        var result = Route(new MessageRouter(origin, _batch));

        Assert.Equal(1, local.Count);
        Assert.Empty(otherPeer.Copies);
        Assert.Empty(origin.Copies);
        Assert.Equal(1, result.Copies);
    }

    [Fact]
    public void Route_FromPeerWithoutNamedQueues_NoQueueGroupServed()
    {
        var origin = new FakePeer(10);
        var member = new FakeSubscriber(2);
        Subscribe(member.Subscribe(Subject, "workers"));

        Route(new MessageRouter(origin, _batch));

        Assert.Equal(0, member.Count);
    }

    [Fact]
    public void Route_FromPeerNamingQueues_OnlyNamedGroupsServedByLocalMembers()
    {
        var origin = new FakePeer(10);
        var otherPeer = new FakePeer(11);
        var member = new FakeSubscriber(2);
        Subscribe(member.Subscribe(Subject, "workers"), member.Subscribe(Subject, "audit"), member.Subscribe(Subject, "other"), otherPeer.Interest(Subject, "workers"));

        Route(new MessageRouter(origin, _batch), "workers audit");

        Assert.Equal(["audit", "workers"], member.Delivered.Select(s => s.QueueText!).Order(StringComparer.Ordinal));
        Assert.Empty(otherPeer.Copies);
    }

    [Fact]
    public void Route_FromPeerNamingQueue_PicksLocalMembersUniformly()
    {
        // A peer member between local ones must not make the member after it likelier.
        var origin = new FakePeer(10);
        var otherPeer = new FakePeer(11);
        var locals = new[] { new FakeSubscriber(2), new FakeSubscriber(3), new FakeSubscriber(4) };
        Subscribe(locals[0].Subscribe(Subject, "workers"), otherPeer.Interest(Subject, "workers", weight: 5), locals[1].Subscribe(Subject, "workers"), locals[2].Subscribe(Subject, "workers"));
        var router = new MessageRouter(origin, _batch, new Random(42));

        const int Messages = 9000;
        for (var i = 0; i < Messages; i++)
        {
            Route(router, "workers");
        }

        Assert.Empty(otherPeer.Copies);
        Assert.All(locals, local => Assert.InRange(local.Count / (double)Messages, 0.30, 0.37));
    }

    [Fact]
    public void Route_FromPeerNamingQueueWithNoLocalMemberTaking_BouncesToAnotherPeerOnce()
    {
        var origin = new FakePeer(10);
        var otherPeer = new FakePeer(11);
        var refusing = new FakeSubscriber(2) { Accepts = false };
        Subscribe(origin.Interest(Subject, "workers"), refusing.Subscribe(Subject, "workers"), otherPeer.Interest(Subject, "workers"), otherPeer.Interest(Subject));

        var result = Route(new MessageRouter(origin, _batch), "workers");

        // The plain interest of the other peer does not get the message (one hop); the bounce does, naming the queue.
        Assert.Equal([("ACC", "workers")], otherPeer.Copies);
        Assert.Empty(origin.Copies);
        Assert.Equal(new RoutingResult(Delivered: true, Copies: 1), result);
    }

    [Fact]
    public void Route_FromPeerNamingQueueWhoseOnlyOtherMemberIsTheOrigin_NotSentBack()
    {
        var origin = new FakePeer(10);
        Subscribe(origin.Interest(Subject, "workers"));

        var result = Route(new MessageRouter(origin, _batch), "workers");

        Assert.Empty(origin.Copies);
        Assert.False(result.Delivered);
    }

    [Fact]
    public void Route_ClosedSubscriptions_AreSkipped()
    {
        var publisher = new FakeSubscriber(1);
        var peer = new FakePeer(10);
        var closedMember = peer.Interest(Subject, "workers");
        var open = new FakeSubscriber(2);
        Subscribe(closedMember, open.Subscribe(Subject, "workers"));
        closedMember.Closed = true;

        for (var i = 0; i < 20; i++)
        {
            Route(new MessageRouter(publisher, _batch, new Random(i)));
        }

        Assert.Empty(peer.Copies);
        Assert.Equal(20, open.Count);
    }

    private static OutboundMessage Message() =>
        new(Encoding.UTF8.GetBytes(Subject), default, 0, new ReadOnlySequence<byte>("hello"u8.ToArray()));

    private RoutingResult Route(MessageRouter router, string namedQueues = "") =>
        router.Route(_account, Message(), echo: true, namedQueues: Encoding.UTF8.GetBytes(namedQueues));

    private void Subscribe(params Subscription[] subscriptions)
    {
        foreach (var subscription in subscriptions)
        {
            _account.Subscriptions.Insert(subscription);
        }
    }
}
