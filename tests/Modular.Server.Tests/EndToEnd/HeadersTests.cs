using NATS.Client.Core;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>Message headers (HPUB/HMSG) through a real NATS.Net client.</summary>
public sealed class HeadersTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Headers_PublishWithHeaders_RoundTripUnchanged()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var subscriber = await Clients.ConnectAsync(Server, ct);
        await using var publisher = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await subscriber.SubscribeCoreAsync<string>("hdr.one", cancellationToken: ct);
        await subscriber.PingAsync(ct);
        var headers = new NatsHeaders
        {
            ["X-Trace"] = "abc-123",
            ["X-Multi"] = new[] { "first", "second" },
        };

        await publisher.PublishAsync("hdr.one", "body", headers: headers, cancellationToken: ct);

        var message = await subscription.Msgs.ReadAsync(ct);
        Assert.Equal("body", message.Data);
        Assert.NotNull(message.Headers);
        Assert.Equal("abc-123", message.Headers["X-Trace"].ToString());
        Assert.Equal(new[] { "first", "second" }, message.Headers["X-Multi"].Select(v => v ?? "").ToArray());
    }

    [Fact]
    public async Task Headers_EmptyPayload_StillDelivered()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var connection = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await connection.SubscribeCoreAsync<string>("hdr.empty", cancellationToken: ct);
        await connection.PingAsync(ct);

        await connection.PublishAsync("hdr.empty", headers: new NatsHeaders { ["K"] = "v" }, cancellationToken: ct);

        var message = await subscription.Msgs.ReadAsync(ct);
        Assert.NotNull(message.Headers);
        Assert.Equal("v", message.Headers["K"].ToString());
        Assert.True(string.IsNullOrEmpty(message.Data));
    }

    [Fact]
    public async Task Headers_RequestAndReply_BothCarryHeaders()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var responder = await Clients.ConnectAsync(Server, ct);
        await using var requester = await Clients.ConnectAsync(Server, ct);
        await using var service = await responder.SubscribeCoreAsync<string>("hdr.svc", cancellationToken: ct);
        await responder.PingAsync(ct);
        var serving = Task.Run(async () =>
        {
            var request = await service.Msgs.ReadAsync(ct);
            var seen = request.Headers?["X-Req"].ToString() ?? "missing";
            await request.ReplyAsync("ok", headers: new NatsHeaders { ["X-Seen"] = seen }, cancellationToken: ct);
        }, ct);

        var reply = await requester.RequestAsync<string, string>("hdr.svc", "q", headers: new NatsHeaders { ["X-Req"] = "42" }, cancellationToken: ct);

        await serving.WaitAsync(ct);
        Assert.Equal("ok", reply.Data);
        Assert.NotNull(reply.Headers);
        Assert.Equal("42", reply.Headers["X-Seen"].ToString());
    }
}
