using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// Leaf nodes between Modular and nats-server (leafnode.go), both roles: a nats-server leaf (2.9.10
/// and 2.10) dialing a Modular hub, a Modular leaf dialing a nats-server hub, and Modular on both
/// sides. Each pair binds the leaf's account A to the hub's account A; account B stays apart.
/// </summary>
public sealed class LeafnodeInteropTests
{
    public static TheoryData<string, string> Pairs() => new()
    {
        { "modular", "nats-2.10" },
        { "modular", "nats-2.9" },
        { "nats-2.10", "modular" },
        { "nats-2.9", "modular" },
        { "modular", "modular" },
    };

    private static NodeProgram Program(string name) => name switch
    {
        "nats-2.10" => NodeProgram.NatsServer210,
        "nats-2.9" => NodeProgram.NatsServer29,
        _ => NodeProgram.Modular,
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Leaf_PublishOnEitherSide_SubscriberOnTheOtherGetsEachOnce(string hub, string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var pair = await LeafPair.StartAsync(Program(hub), Program(leaf), ct);
        await using var onHub = await pair.ConnectAsync(pair.Hub, "a", ct);
        await using var onLeaf = await pair.ConnectAsync(pair.Leaf, "a", ct);
        foreach (var (from, to, name) in new[] { (onHub, onLeaf, "hub→leaf"), (onLeaf, onHub, "leaf→hub") })
        {
            var subject = "leaf.pub." + Guid.NewGuid().ToString("N");
            await using var sub = await to.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
            await Propagation.AwaitInterestAsync(from, to, ct, TimeSpan.FromSeconds(30));
            for (var i = 0; i < 10; i++)
            {
                await from.PublishAsync(subject, i, cancellationToken: ct);
            }

            await Propagation.BarrierAsync(from, to, ct);
            var got = Clients.Drain(sub).Select(m => m.Data).ToList();
            Assert.True(got.SequenceEqual(Enumerable.Range(0, 10)), $"{name}: got [{string.Join(",", got)}]");
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Leaf_RequestFromEitherSide_AnsweredByTheOther(string hub, string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var pair = await LeafPair.StartAsync(Program(hub), Program(leaf), ct);
        await using var onHub = await pair.ConnectAsync(pair.Hub, "a", ct);
        await using var onLeaf = await pair.ConnectAsync(pair.Leaf, "a", ct);
        foreach (var (requester, responder, name) in new[] { (onHub, onLeaf, "hub asks leaf"), (onLeaf, onHub, "leaf asks hub") })
        {
            var subject = "leaf.svc." + Guid.NewGuid().ToString("N");
            await using var service = await responder.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
            var serving = Task.Run(async () =>
            {
                await foreach (var request in service.Msgs.ReadAllAsync(ct))
                {
                    await request.ReplyAsync(request.Data * 2, cancellationToken: ct);
                }
            }, ct);
            await Propagation.AwaitInterestAsync(requester, responder, ct, TimeSpan.FromSeconds(30));
            for (var i = 1; i <= 3; i++)
            {
                var reply = await requester.RequestAsync<int, int>(subject, i, cancellationToken: ct);
                Assert.True(reply.Data == i * 2, $"{name}: {i} answered {reply.Data}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Leaf_QueueGroupOnBothSides_EachMessageToOneMember(string hub, string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var pair = await LeafPair.StartAsync(Program(hub), Program(leaf), ct);
        await using var onHub = await pair.ConnectAsync(pair.Hub, "a", ct);
        await using var onLeaf = await pair.ConnectAsync(pair.Leaf, "a", ct);
        var subject = "leaf.q." + Guid.NewGuid().ToString("N");

        // Members only on the other side first: every message crosses, to exactly one of them.
        await using var leafMember1 = await onLeaf.SubscribeCoreAsync<int>(subject, queueGroup: "workers", cancellationToken: ct);
        await using var leafMember2 = await onLeaf.SubscribeCoreAsync<int>(subject, queueGroup: "workers", cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onHub, onLeaf, ct, TimeSpan.FromSeconds(30));
        for (var i = 0; i < 20; i++)
        {
            await onHub.PublishAsync(subject, i, cancellationToken: ct);
        }

        await Propagation.BarrierAsync(onHub, onLeaf, ct);
        var crossed = Clients.Drain(leafMember1).Concat(Clients.Drain(leafMember2)).Select(m => m.Data).Order().ToList();
        Assert.True(crossed.SequenceEqual(Enumerable.Range(0, 20)), $"hub→leaf group got [{string.Join(",", crossed)}]");

        // Then members on both sides, publishers on both sides: still each message once.
        await using var hubMember = await onHub.SubscribeCoreAsync<int>(subject, queueGroup: "workers", cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onLeaf, onHub, ct, TimeSpan.FromSeconds(30));
        for (var i = 0; i < 20; i++)
        {
            await (i % 2 == 0 ? onHub : onLeaf).PublishAsync(subject, 100 + i, cancellationToken: ct);
        }

        await Propagation.BarrierAsync(onHub, onLeaf, ct);
        await Propagation.BarrierAsync(onLeaf, onHub, ct);
        await Propagation.BarrierAsync(onHub, onHub, ct);
        await Propagation.BarrierAsync(onLeaf, onLeaf, ct);
        var all = Clients.Drain(leafMember1).Concat(Clients.Drain(leafMember2)).Concat(Clients.Drain(hubMember)).Select(m => m.Data).Order().ToList();
        Assert.True(all.SequenceEqual(Enumerable.Range(100, 20)), $"both sides got [{string.Join(",", all)}]");
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Leaf_BoundToAccountA_AccountBSeesNothingEitherWay(string hub, string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var pair = await LeafPair.StartAsync(Program(hub), Program(leaf), ct);
        await using var hubA = await pair.ConnectAsync(pair.Hub, "a", ct);
        await using var hubB = await pair.ConnectAsync(pair.Hub, "b", ct);
        await using var leafA = await pair.ConnectAsync(pair.Leaf, "a", ct);
        await using var leafB = await pair.ConnectAsync(pair.Leaf, "b", ct);
        var subject = "leaf.acc." + Guid.NewGuid().ToString("N");
        await using var hubBSub = await hubB.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await using var leafBSub = await leafB.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await using var hubASub = await hubA.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await using var leafASub = await leafA.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(leafA, hubA, ct, TimeSpan.FromSeconds(30));
        await Propagation.AwaitInterestAsync(hubA, leafA, ct, TimeSpan.FromSeconds(30));

        await leafA.PublishAsync(subject, 1, cancellationToken: ct);
        await hubA.PublishAsync(subject, 2, cancellationToken: ct);
        await leafB.PublishAsync(subject, 3, cancellationToken: ct);
        await hubB.PublishAsync(subject, 4, cancellationToken: ct);
        await Propagation.BarrierAsync(leafA, hubA, ct);
        await Propagation.BarrierAsync(hubA, leafA, ct);
        await Propagation.BarrierAsync(leafB, leafB, ct);
        await Propagation.BarrierAsync(hubB, hubB, ct);

        Assert.Equal([1, 2], Clients.Drain(hubASub).Select(m => m.Data).Order());
        Assert.Equal([1, 2], Clients.Drain(leafASub).Select(m => m.Data).Order());
        Assert.Equal([3], Clients.Drain(leafBSub).Select(m => m.Data));
        Assert.Equal([4], Clients.Drain(hubBSub).Select(m => m.Data));
    }

    [Theory]
    [InlineData("modular", "nats-2.10")]
    [InlineData("nats-2.10", "modular")]
    [InlineData("modular", "modular")]
    public async Task Leaf_Restarted_InterestResentAndTrafficFlowsAgain(string hub, string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var pair = await LeafPair.StartAsync(Program(hub), Program(leaf), ct);
        var subject = "leaf.restart." + Guid.NewGuid().ToString("N");
        await using (var onHub = await pair.ConnectAsync(pair.Hub, "a", ct))
        {
            await using var onLeaf = await pair.ConnectAsync(pair.Leaf, "a", ct);
            await Propagation.AwaitInterestAsync(onHub, onLeaf, ct, TimeSpan.FromSeconds(30));
        }

        await pair.RestartLeafAsync(ct);
        await using var hubClient = await pair.ConnectAsync(pair.Hub, "a", ct);
        await using var leafClient = await pair.ConnectAsync(pair.Leaf, "a", ct);
        await using var sub = await leafClient.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(hubClient, leafClient, ct, TimeSpan.FromSeconds(30));
        await hubClient.PublishAsync(subject, 7, cancellationToken: ct);
        await Propagation.BarrierAsync(hubClient, leafClient, ct);
        Assert.Equal([7], Clients.Drain(sub).Select(m => m.Data));
    }
}
