using Modular.Core.Routing;

namespace Modular.Core.Tests.Routing;

// The router's rules for peers in another cluster (gateways, IMessagePeer.IsOtherCluster): one more
// peer for a local origin, last resort for a queue group, and one hop only.
public partial class MessageRouterTests
{
    [Fact]
    public void LocalOrigin_PlainInterestOnARouteAndAGateway_EachGetsOneCopy()
    {
        var route = new FakePeer(10);
        var gateway = new FakePeer(20, otherCluster: true);
        Subscribe(route.Interest(Subject), gateway.Interest(Subject), gateway.Interest("orders.>"));

        var result = Route(new MessageRouter(new FakeSubscriber(1), _batch));

        Assert.Equal([("ACC", "")], route.Copies);
        Assert.Equal([("ACC", "")], gateway.Copies);
        Assert.Equal(2, result.Copies);
    }

    [Fact]
    public void LocalOrigin_QueueWithMembersHereAndInAnotherCluster_AlwaysServedHere()
    {
        var local = new FakeSubscriber(2);
        var route = new FakePeer(10);
        var gateway = new FakePeer(20, otherCluster: true);
        Subscribe(local.Subscribe(Subject, "workers"), route.Interest(Subject, "workers", weight: 2), gateway.Interest(Subject, "workers"));
        var router = new MessageRouter(new FakeSubscriber(1), _batch, new Random(7));

        for (var i = 0; i < 200; i++)
        {
            Route(router);
        }

        Assert.Equal(200, local.Count + route.Count);
        Assert.True(local.Count > 0 && route.Count > 0, $"local {local.Count}, route {route.Count}: both in the draw");
        Assert.Empty(gateway.Copies);
    }

    [Fact]
    public void LocalOrigin_QueueWithMembersOnlyInOtherClusters_OneClusterGetsItNamingTheGroup()
    {
        var gatewayB = new FakePeer(20, otherCluster: true);
        var gatewayC = new FakePeer(21, otherCluster: true);
        Subscribe(gatewayB.Interest(Subject, "workers"), gatewayC.Interest(Subject, "workers"));

        var result = Route(new MessageRouter(new FakeSubscriber(1), _batch));

        Assert.Equal(1, gatewayB.Count + gatewayC.Count);
        Assert.Equal(("ACC", "workers"), gatewayB.Copies.Concat(gatewayC.Copies).Single());
        Assert.True(result.Delivered);
    }

    [Fact]
    public void LocalOrigin_LocalMemberCannotTakeIt_FallsBackToTheOtherCluster()
    {
        var local = new FakeSubscriber(2) { Accepts = false };
        var gateway = new FakePeer(20, otherCluster: true);
        Subscribe(local.Subscribe(Subject, "workers"), gateway.Interest(Subject, "workers"));

        Route(new MessageRouter(new FakeSubscriber(1), _batch));

        Assert.Equal([("ACC", "workers")], gateway.Copies);
    }

    [Fact]
    public void RouteOrigin_GatewayInterest_NothingGoesToTheOtherCluster()
    {
        var origin = new FakePeer(10);
        var gateway = new FakePeer(20, otherCluster: true);
        Subscribe(gateway.Interest(Subject), gateway.Interest(Subject, "workers"));

        var result = Route(new MessageRouter(origin, _batch), "workers");

        Assert.Empty(gateway.Copies);
        Assert.False(result.Delivered);
    }

    [Fact]
    public void GatewayOrigin_PlainInterest_LocalAndRoutesGetItOtherClustersDoNot()
    {
        var origin = new FakePeer(20, otherCluster: true);
        var local = new FakeSubscriber(2);
        var route = new FakePeer(10);
        var otherGateway = new FakePeer(21, otherCluster: true);
        Subscribe(local.Subscribe(Subject), route.Interest(Subject), otherGateway.Interest(Subject));

        var result = Route(new MessageRouter(origin, _batch));

        Assert.Equal(1, local.Count);
        Assert.Equal([("ACC", "")], route.Copies);
        Assert.Empty(otherGateway.Copies);
        Assert.Equal(2, result.Copies);
    }

    [Fact]
    public void GatewayOrigin_NamedQueueWithMemberOnlyOnARoute_RouteGetsItNamingTheGroup()
    {
        var origin = new FakePeer(20, otherCluster: true);
        var route = new FakePeer(10);
        var otherGateway = new FakePeer(21, otherCluster: true);
        Subscribe(route.Interest(Subject, "workers"), otherGateway.Interest(Subject, "workers"));

        Route(new MessageRouter(origin, _batch), "workers");

        Assert.Equal([("ACC", "workers")], route.Copies);
        Assert.Empty(otherGateway.Copies);
    }

    [Fact]
    public void GatewayOrigin_QueueNotNamed_NotServed()
    {
        var origin = new FakePeer(20, otherCluster: true);
        var local = new FakeSubscriber(2);
        Subscribe(local.Subscribe(Subject, "workers"));

        Route(new MessageRouter(origin, _batch));

        Assert.Equal(0, local.Count);
    }
}
