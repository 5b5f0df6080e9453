using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>Accounts isolate subjects: the same subject in two accounts never crosses.</summary>
public sealed class AccountIsolationTests(AccountsServer fixture) : IClassFixture<AccountsServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Accounts_SameSubject_NoCrossing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var a = await Clients.ConnectAsync(Server, ct, AccountsServer.UserA, AccountsServer.PasswordA);
        await using var b = await Clients.ConnectAsync(Server, ct, AccountsServer.UserB, AccountsServer.PasswordB);
        await using var subA = await a.SubscribeCoreAsync<string>("shared.subject", cancellationToken: ct);
        await using var subB = await b.SubscribeCoreAsync<string>("shared.subject", cancellationToken: ct);
        await using var wildB = await b.SubscribeCoreAsync<string>(">", cancellationToken: ct);
        await a.PingAsync(ct);
        await b.PingAsync(ct);

        await a.PublishAsync("shared.subject", "from-a", cancellationToken: ct);
        await b.PublishAsync("shared.subject", "from-b", cancellationToken: ct);
        await a.PingAsync(ct);
        await b.PingAsync(ct);
        // One more round trip each: the other connection's publish has been routed by now.
        await a.PingAsync(ct);

        Assert.Equal(["from-a"], Clients.Drain(subA).Select(m => m.Data));
        Assert.Equal(["from-b"], Clients.Drain(subB).Select(m => m.Data));
        Assert.Equal(["from-b"], Clients.Drain(wildB).Select(m => m.Data));
    }

    [Fact]
    public async Task Accounts_TwoUsersOfOneAccount_ShareSubjects()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var a = await Clients.ConnectAsync(Server, ct, AccountsServer.UserA, AccountsServer.PasswordA);
        await using var a2 = await Clients.ConnectAsync(Server, ct, AccountsServer.UserA2, AccountsServer.PasswordA2);
        await using var subscription = await a.SubscribeCoreAsync<string>("team.news", cancellationToken: ct);
        await a.PingAsync(ct);

        await a2.PublishAsync("team.news", "hello team", cancellationToken: ct);

        Assert.Equal("hello team", (await subscription.Msgs.ReadAsync(ct)).Data);
    }

    [Fact]
    public async Task Accounts_RequestAcrossAccounts_NoResponders()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var a = await Clients.ConnectAsync(Server, ct, AccountsServer.UserA, AccountsServer.PasswordA);
        await using var b = await Clients.ConnectAsync(Server, ct, AccountsServer.UserB, AccountsServer.PasswordB);
        await using var service = await b.SubscribeCoreAsync<string>("svc.only.in.b", cancellationToken: ct);
        await b.PingAsync(ct);

        await Assert.ThrowsAsync<NATS.Client.Core.NatsNoRespondersException>(async () =>
            await a.RequestAsync<string, string>(
                "svc.only.in.b",
                "hi",
                replyOpts: new NATS.Client.Core.NatsSubOpts { Timeout = TimeSpan.FromSeconds(10), ThrowIfNoResponders = true },
                cancellationToken: ct));
    }
}
