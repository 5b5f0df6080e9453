using NATS.Client.Core;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>Queue groups: one member of a group gets each message.</summary>
public sealed class QueueGroupTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task QueueGroup_ThreeMembers_EachMessageDeliveredExactlyOnceAndEveryMemberGetsSome()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        const int count = 300;
        var members = new List<NatsConnection>();
        var subscriptions = new List<INatsSub<int>>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var member = await Clients.ConnectAsync(Server, ct);
                members.Add(member);
                subscriptions.Add(await member.SubscribeCoreAsync<int>("jobs.work", queueGroup: "workers", cancellationToken: ct));
                await member.PingAsync(ct);
            }

            await using var watcher = await Clients.ConnectAsync(Server, ct);
            await using var watcherSub = await watcher.SubscribeCoreAsync<int>("jobs.work", cancellationToken: ct);
            await watcher.PingAsync(ct);
            await using var publisher = await Clients.ConnectAsync(Server, ct);

            for (var i = 0; i < count; i++)
            {
                await publisher.PublishAsync("jobs.work", i, cancellationToken: ct);
            }

            await publisher.PingAsync(ct);
            foreach (var member in members)
            {
                await member.PingAsync(ct);
            }

            await watcher.PingAsync(ct);

            var perMember = subscriptions.Select(s => Clients.Drain(s).Select(m => m.Data).ToList()).ToList();
            var all = perMember.SelectMany(x => x).ToList();
            Assert.True(all.Count == count, $"expected {count} deliveries across the group, got {all.Count} ({string.Join(", ", perMember.Select(m => m.Count))} per member)");
            Assert.Equal(Enumerable.Range(0, count), all.Order());
            Assert.All(perMember, received => Assert.NotEmpty(received));
            Assert.Equal(count, Clients.Drain(watcherSub).Count);
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                await subscription.DisposeAsync();
            }

            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task QueueGroup_TwoGroups_EachGroupGetsEveryMessageOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        const int count = 50;
        await using var connection = await Clients.ConnectAsync(Server, ct);
        await using var g1a = await connection.SubscribeCoreAsync<int>("tasks.q", queueGroup: "g1", cancellationToken: ct);
        await using var g1b = await connection.SubscribeCoreAsync<int>("tasks.q", queueGroup: "g1", cancellationToken: ct);
        await using var g2 = await connection.SubscribeCoreAsync<int>("tasks.q", queueGroup: "g2", cancellationToken: ct);
        await connection.PingAsync(ct);

        for (var i = 0; i < count; i++)
        {
            await connection.PublishAsync("tasks.q", i, cancellationToken: ct);
        }

        await connection.PingAsync(ct);

        var group1 = Clients.Drain(g1a).Concat(Clients.Drain(g1b)).Select(m => m.Data).Order();
        Assert.Equal(Enumerable.Range(0, count), group1);
        Assert.Equal(Enumerable.Range(0, count), Clients.Drain(g2).Select(m => m.Data));
    }
}
