using System.Text;
using Modular.Core.Delivery;
using Modular.Core.Routing;

namespace Modular.Core.Tests.Routing;

// The router's rules for leaf nodes (IMessagePeer.TakesMeshTraffic, IsQueueFallback, SpreadsLikeLocal):
// a leaf that dialed us is outside the mesh, so route traffic still reaches it, and what it sends spreads
// as a client's; its queue members are a last resort; the hub's side of a connection we dialed is not.
public partial class MessageRouterTests
{
    [Fact]
    public void RouteOrigin_PlainInterestOfALeafWeAreHubOf_LeafGetsItOtherRoutesDoNot()
    {
        var origin = new FakePeer(10);
        var otherRoute = new FakePeer(11);
        var leaf = new FakePeer(30, leafHub: true);
        var hub = new FakePeer(31, leafSpoke: true);
        Subscribe(otherRoute.Interest(Subject), leaf.Interest(Subject), hub.Interest(Subject));

        Route(new MessageRouter(origin, _batch));

        Assert.Equal([("ACC", "")], leaf.Copies);
        Assert.Empty(otherRoute.Copies);
        Assert.Empty(hub.Copies);
    }

    [Fact]
    public void LeafOrigin_PlainInterestEverywhere_EveryOtherPeerAndLocalGetsOneCopyNotTheLeafItself()
    {
        var leaf = new FakePeer(30, leafHub: true);
        var route = new FakePeer(10);
        var gateway = new FakePeer(20, otherCluster: true);
        var otherLeaf = new FakePeer(31, leafHub: true);
        var local = new FakeSubscriber(2);
        Subscribe(leaf.Interest(Subject), route.Interest(Subject), gateway.Interest(Subject), otherLeaf.Interest(Subject), local.Subscribe(Subject));

        Route(new MessageRouter(leaf, _batch));

        Assert.Empty(leaf.Copies);
        Assert.Equal([("ACC", "")], route.Copies);
        Assert.Equal([("ACC", "")], gateway.Copies);
        Assert.Equal([("ACC", "")], otherLeaf.Copies);
        Assert.Equal(1, local.Count);
    }

    [Fact]
    public void RouteLmsgFromLeafClusterX_LeafsOfXSkippedOtherLeafGetsIt()
    {
        var origin = new FakePeer(10);
        var leafOfX = new FakePeer(30, leafHub: true, leafCluster: "X");
        var leafOfY = new FakePeer(31, leafHub: true, leafCluster: "Y");
        Subscribe(leafOfX.Interest(Subject), leafOfY.Interest(Subject));

        new MessageRouter(origin, _batch).Route(_account, Message(), echo: true);
        var fromX = new OutboundMessage(Encoding.UTF8.GetBytes(Subject), default, 0, new System.Buffers.ReadOnlySequence<byte>("hi"u8.ToArray())) { LeafOrigin = "X"u8 };
        new MessageRouter(origin, _batch).Route(_account, fromX, echo: true);

        Assert.Equal(1, leafOfX.Count);
        Assert.Equal(2, leafOfY.Count);
    }

    [Fact]
    public void LeafOfClusterXOrigin_OtherLeafOfXSkippedAsPlainAndAsQueueMember()
    {
        var leaf = new FakePeer(30, leafHub: true, leafCluster: "X");
        var sibling = new FakePeer(31, leafHub: true, leafCluster: "X");
        var route = new FakePeer(10);
        Subscribe(sibling.Interest(Subject), sibling.Interest(Subject, "workers"), route.Interest(Subject, "workers"));
        var fromX = new OutboundMessage(Encoding.UTF8.GetBytes(Subject), default, 0, new System.Buffers.ReadOnlySequence<byte>("hi"u8.ToArray())) { LeafOrigin = "X"u8 };

        new MessageRouter(leaf, _batch).Route(_account, fromX, echo: true, namedQueues: "workers"u8);

        Assert.Empty(sibling.Copies);
        Assert.Equal([("ACC", "workers")], route.Copies);
    }

    [Fact]
    public void LeafOrigin_QueueNotNamed_NoMemberServed()
    {
        var leaf = new FakePeer(30, leafHub: true);
        var local = new FakeSubscriber(2);
        Subscribe(local.Subscribe(Subject, "workers"));

        Route(new MessageRouter(leaf, _batch));

        Assert.Equal(0, local.Count);
    }

    [Fact]
    public void LeafOrigin_QueueNamed_OneMemberAnywhereInTheCluster()
    {
        var leaf = new FakePeer(30, leafHub: true);
        var local = new FakeSubscriber(2);
        var route = new FakePeer(10);
        Subscribe(local.Subscribe(Subject, "workers"), route.Interest(Subject, "workers"));
        var router = new MessageRouter(leaf, _batch, new Random(3));

        for (var i = 0; i < 100; i++)
        {
            Route(router, "workers");
        }

        Assert.Equal(100, local.Count + route.Count);
        Assert.True(local.Count > 0 && route.Count > 0, $"local {local.Count}, route {route.Count}");
    }

    [Fact]
    public void LocalOrigin_QueueMembersHereAndOnALeaf_ServedHereLeafOnlyAsLastResort()
    {
        var local = new FakeSubscriber(2);
        var leaf = new FakePeer(30, leafHub: true);
        Subscribe(local.Subscribe(Subject, "workers"), leaf.Interest(Subject, "workers", weight: 5));
        var router = new MessageRouter(new FakeSubscriber(1), _batch);

        for (var i = 0; i < 50; i++)
        {
            Route(router);
        }

        Assert.Equal(50, local.Count);
        Assert.Empty(leaf.Copies);

        local.Accepts = false;
        Route(router);
        Assert.Equal([("ACC", "workers")], leaf.Copies);
    }

    [Fact]
    public void HubOrigin_OnALeafWeDialed_LocalSubscribersAndLeafsWeAreHubOfNotRoutes()
    {
        var hub = new FakePeer(31, leafSpoke: true);
        var route = new FakePeer(10);
        var leaf = new FakePeer(30, leafHub: true);
        var local = new FakeSubscriber(2);
        Subscribe(route.Interest(Subject), leaf.Interest(Subject), local.Subscribe(Subject));

        Route(new MessageRouter(hub, _batch));

        Assert.Empty(route.Copies);
        Assert.Equal([("ACC", "")], leaf.Copies);
        Assert.Equal(1, local.Count);
    }
}
