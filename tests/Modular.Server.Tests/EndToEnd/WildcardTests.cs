using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary><c>*</c> and <c>&gt;</c> subscriptions through a real NATS.Net client.</summary>
public sealed class WildcardTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    private static readonly string[] Published = ["orders", "orders.new", "orders.eu.new", "orders.us", "other.new"];

    [Fact]
    public async Task StarWildcard_Publishes_MatchesExactlyOneToken()
    {
        var received = await ReceiveForAsync("orders.*");
        Assert.Equal(["orders.new", "orders.us"], received);
    }

    [Fact]
    public async Task GreaterThanWildcard_Publishes_MatchesOneOrMoreTrailingTokens()
    {
        var received = await ReceiveForAsync("orders.>");
        Assert.Equal(["orders.new", "orders.eu.new", "orders.us"], received);
    }

    [Fact]
    public async Task StarInMiddle_Publishes_MatchesThatTokenOnly()
    {
        var received = await ReceiveForAsync("*.new");
        Assert.Equal(["orders.new", "other.new"], received);
    }

    [Fact]
    public async Task FullWildcard_Publishes_MatchesEverything()
    {
        var received = await ReceiveForAsync(">");
        Assert.Equal(Published, received);
    }

    private async Task<List<string>> ReceiveForAsync(string filter)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var subscriber = await Clients.ConnectAsync(Server, ct);
        await using var publisher = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await subscriber.SubscribeCoreAsync<string>(filter, cancellationToken: ct);
        await subscriber.PingAsync(ct);

        foreach (var subject in Published)
        {
            await publisher.PublishAsync(subject, subject, cancellationToken: ct);
        }

        // The publisher's PONG means the server has routed every publish; the subscriber's PONG
        // comes after every message routed to it.
        await publisher.PingAsync(ct);
        await subscriber.PingAsync(ct);
        return Clients.Drain(subscription).Select(m => m.Subject).ToList();
    }
}
