using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>Plain publish/subscribe through a real NATS.Net client.</summary>
public sealed class PubSubTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Publish_OneSubscriber_ReceivesSubjectAndPayload()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var subscriber = await Clients.ConnectAsync(Server, ct);
        await using var publisher = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await subscriber.SubscribeCoreAsync<string>("greet.one", cancellationToken: ct);
        await subscriber.PingAsync(ct);

        await publisher.PublishAsync("greet.one", "hello", cancellationToken: ct);

        var message = await subscription.Msgs.ReadAsync(ct);
        Assert.Equal("greet.one", message.Subject);
        Assert.Equal("hello", message.Data);
    }

    [Fact]
    public async Task Publish_ManyMessages_ArriveInOrder()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        const int count = 500;
        await using var subscriber = await Clients.ConnectAsync(Server, ct);
        await using var publisher = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await subscriber.SubscribeCoreAsync<int>("ordered.feed", cancellationToken: ct);
        await subscriber.PingAsync(ct);

        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync("ordered.feed", i, cancellationToken: ct);
        }

        for (var i = 0; i < count; i++)
        {
            var message = await subscription.Msgs.ReadAsync(ct);
            Assert.Equal(i, message.Data);
        }
    }

    [Fact]
    public async Task Publish_TwoSubscribers_BothReceive()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var first = await Clients.ConnectAsync(Server, ct);
        await using var second = await Clients.ConnectAsync(Server, ct);
        await using var firstSub = await first.SubscribeCoreAsync<string>("fanout.x", cancellationToken: ct);
        await using var secondSub = await second.SubscribeCoreAsync<string>("fanout.x", cancellationToken: ct);
        await first.PingAsync(ct);
        await second.PingAsync(ct);

        await first.PublishAsync("fanout.x", "both", cancellationToken: ct);

        Assert.Equal("both", (await firstSub.Msgs.ReadAsync(ct)).Data);
        Assert.Equal("both", (await secondSub.Msgs.ReadAsync(ct)).Data);
    }

    [Fact]
    public async Task Publish_OtherSubject_NotDelivered()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var connection = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await connection.SubscribeCoreAsync<string>("only.this", cancellationToken: ct);

        await connection.PublishAsync("only.that", "wrong", cancellationToken: ct);
        await connection.PublishAsync("only.this.deeper", "wrong", cancellationToken: ct);
        await connection.PublishAsync("only.this", "right", cancellationToken: ct);
        await connection.PingAsync(ct);

        var received = Clients.Drain(subscription).Select(m => m.Data).ToList();
        Assert.Equal(["right"], received);
    }
}
