using Modular.Testing;

namespace Modular.Cluster.Tests.Gateways;

/// <summary>
/// A+/A- and optimistic senders (nats-server gateway.go): a peer whose INFO does not say
/// gateway_iom may send before it knows this cluster's interest. Modular answers a message for an
/// account it does not have with one A-; for an account it has, it has already switched the account
/// to interest-only mode (gateway_cmd 2/3, as nats-server 2.9+), so no RS- is due and the message
/// goes to whoever subscribes. Dialing, Modular stops plain messages of an account the remote
/// answered A- for until its A+.
/// </summary>
public sealed class GatewayAccountInterestTests
{
    [Fact]
    public async Task OptimisticSender_UnknownAccount_OneAMinus_KnownAccount_DeliveredWithoutRsMinus()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var port = FreePort.Next();
        await using var node = await Node.StartAsync(new ConfigBuilder { Name = "b1" }.Cluster("B").Gateway("B", port), cancellationToken: ct);
        await using var client = await Clients.ConnectAsync(node, ct);
        await using var sub = await client.SubscribeCoreAsync<string>("wanted", cancellationToken: ct);
        await client.PingAsync(ct);

        await using var peer = await RawConnection.DialGatewayAsync(port, "FAKEA1", node.Name, ct);
        Assert.Contains("\"gateway_iom\":true", peer.InfoJson, StringComparison.Ordinal);
        await peer.SendGatewayConnectAsync("A", cancellationToken: ct);
        await peer.SendGatewayInfoAsync("A", interestOnly: false, cancellationToken: ct);
        await peer.WaitForLineAsync("\"gateway_cmd\":3", TimeSpan.FromSeconds(10), ct);

        await peer.SendAsync("RMSG NOPE foo 2\r\nhi\r\nRMSG NOPE bar 2\r\nhi\r\nRMSG $G unwanted 2\r\nhi\r\nRMSG $G wanted 5\r\nhello\r\n", ct);
        var lines = await peer.PingAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(["A- NOPE"], lines.Where(l => l.StartsWith("A", StringComparison.Ordinal) || l.StartsWith("RS-", StringComparison.Ordinal)).ToArray());

        using var read = CancellationTokenSource.CreateLinkedTokenSource(ct);
        read.CancelAfter(TimeSpan.FromSeconds(10));
        var message = await sub.Msgs.ReadAsync(read.Token);
        Assert.Equal("hello", message.Data);
        Assert.Equal(["NOPE"], Assert.Single(node.Embedded!.Gateways!.GetInbound()).SilencedAccounts);
    }

    [Fact]
    public async Task Dialing_RemoteSaysAMinusThenAPlus_PlainMessagesStopAndResume()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var listener = new RawRouteListener();
        await using var node = await Node.StartAsync(new ConfigBuilder { Name = "a1" }.Cluster("A").Gateway("A", FreePort.Next()).GatewayTo("B", listener.Port), cancellationToken: ct);
        await using var remote = await listener.AcceptAsync("FAKEB1", TimeSpan.FromSeconds(15), ct);
        await remote.SendAsync("INFO {\"server_id\":\"FAKEB1\",\"server_name\":\"fake-b1\",\"gateway\":\"B\",\"gateway_urls\":[\"127.0.0.1:" + listener.Port + "\"],\"gateway_nrp\":true,\"gateway_iom\":true,\"headers\":true}\r\n", ct);
        await remote.WaitForLineAsync("^CONNECT .*\"gateway\":\"A\"", TimeSpan.FromSeconds(10), ct);
        await remote.SendAsync("RS+ $G topic\r\n", ct);
        await remote.PingAsync(TimeSpan.FromSeconds(10), ct);

        await using var publisher = await Clients.ConnectAsync(node, ct);
        async Task<bool> CrossesAsync(string payload)
        {
            await publisher.PublishAsync("topic", payload, cancellationToken: ct);
            await publisher.PingAsync(ct);
            // The server wrote the RMSG before answering the publisher's PING; the remote's PING comes after it on the same socket.
            var lines = await remote.PingAsync(TimeSpan.FromSeconds(10), ct);
            return lines.Any(l => l.StartsWith("RMSG $G topic", StringComparison.Ordinal));
        }

        Assert.True(await CrossesAsync("one"), remote.Transcript);
        await remote.SendAsync("A- $G\r\n", ct);
        await remote.PingAsync(TimeSpan.FromSeconds(10), ct);
        Assert.False(await CrossesAsync("two"), remote.Transcript);
        await remote.SendAsync("A+ $G\r\n", ct);
        await remote.PingAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(await CrossesAsync("three"), remote.Transcript);
    }
}
