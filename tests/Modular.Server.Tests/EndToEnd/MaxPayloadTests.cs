using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>max_payload: advertised in INFO, enforced on PUB, and a violator does not hurt others.</summary>
public sealed class MaxPayloadTests(SmallPayloadServer fixture) : IClassFixture<SmallPayloadServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Info_MaxPayloadConfigured_Advertised()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var raw = await RawConnection.OpenClientAsync(Server, timeout.Token);

        using var info = raw.ParseInfo();

        Assert.Equal(SmallPayloadServer.MaxPayload, info.RootElement.GetProperty("max_payload").GetInt32());
    }

    [Fact]
    public async Task Publish_ExactlyMaxPayload_Delivered()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        var payload = new string('p', SmallPayloadServer.MaxPayload);

        await raw.SendAsync($"SUB big.ok 1\r\nPUB big.ok {payload.Length}\r\n{payload}\r\nPING\r\n", ct);

        var message = await raw.ReadMsgAsync(cancellationToken: ct);
        Assert.Equal(payload, message.Payload);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Publish_OverMaxPayload_ErrAndCloseWhileOthersServed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var bystander = await Clients.ConnectAsync(Server, ct);
        await using var bystanderSub = await bystander.SubscribeCoreAsync<string>("bystander.feed", cancellationToken: ct);
        await bystander.PingAsync(ct);
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        var payload = new string('x', SmallPayloadServer.MaxPayload * 2);

        // The server may close as soon as it reads the size, before the payload: a failed send is fine.
        await raw.TrySendAsync($"PUB too.big {payload.Length}\r\n{payload}\r\n", ct);

        await raw.WaitForLineAsync("^-ERR 'Maximum Payload Violation'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");

        await bystander.PublishAsync("bystander.feed", "unaffected", cancellationToken: ct);
        Assert.Equal("unaffected", (await bystanderSub.Msgs.ReadAsync(ct)).Data);
        await Serving.AssertServesAsync(Server, ct);
    }
}
