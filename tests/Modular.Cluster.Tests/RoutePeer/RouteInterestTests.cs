using Modular.Testing;

namespace Modular.Cluster.Tests.RoutePeer;

/// <summary>RS+/RS- sent to a route, byte for byte (protocol.md §2.4, §7.1, §7.2; scenarios 11–13, 24 of §12).</summary>
public sealed class RouteInterestTests
{
    [Fact]
    public async Task NewRoute_ExistingSubscriptions_FullDumpOfPlainAndQueueInterest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        // Several subscriptions on one subject give one RS+; queue members give one RS+ with their count.
        await client.SendAsync("SUB foo 1\r\nSUB foo 2\r\nSUB foo bar 3\r\n", ct);
        await client.PingAsync(cancellationToken: ct);

        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await peer.RouteHandshakeAsync(cancellationToken: ct);

        await RoutePeerNode.AssertReceivesExactlyAsync(peer, "RS+ $G foo", "RS+ $G foo bar 1");
    }

    [Fact]
    public async Task ClientSubscriptions_AddedAndRemoved_ExactRsPlusAndRsMinusSequence()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await peer.RouteHandshakeAsync(cancellationToken: ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "no subscriptions yet");
        await RoutePeerNode.WaitRegisteredAsync(node, peer, ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);

        async Task Step(string clientProtocol, params string[] expected)
        {
            await client.SendAsync(clientProtocol, ct);
            await client.PingAsync(cancellationToken: ct);
            if (expected.Length == 0)
            {
                await RoutePeerNode.AssertNothingMoreAsync(peer, $"after client sent {RawConnection.Escape(clientProtocol)}");
            }
            else
            {
                await RoutePeerNode.AssertReceivesExactlyAsync(peer, expected);
            }
        }

        await Step("SUB foo 1\r\n", "RS+ $G foo");
        await Step("SUB foo 2\r\n");
        await Step("SUB foo bar 11\r\n", "RS+ $G foo bar 1");
        await Step("SUB foo bar 12\r\n", "RS+ $G foo bar 2");
        await Step("UNSUB 12\r\n", "RS+ $G foo bar 1");
        await Step("UNSUB 11\r\n", "RS- $G foo bar");
        await Step("UNSUB 2\r\n");
        await Step("UNSUB 1\r\n", "RS- $G foo");
    }

    [Fact]
    public async Task ClientDisconnect_WithPlainAndQueueSubscriptions_RsMinusForEach()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer = await RoutePeerNode.JoinAsync(node, "FAKEID", ct);
        var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\nSUB foo bar 2\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await RoutePeerNode.AssertReceivesExactlyAsync(peer, "RS+ $G foo", "RS+ $G foo bar 1");

        await client.DisposeAsync();

        await RoutePeerNode.AssertReceivesExactlyAsync(peer, "RS- $G foo", "RS- $G foo bar");
    }

    [Fact]
    public async Task UnsubscribeWithMax_RsMinusOnlyWhenMaxReached()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer = await RoutePeerNode.JoinAsync(node, "FAKEID", ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);

        await client.SendAsync("SUB foo 1\r\nUNSUB 1 2\r\nPING\r\n", ct);
        await client.WaitForLineAsync("^PONG$", cancellationToken: ct);
        await RoutePeerNode.AssertReceivesExactlyAsync(peer, "RS+ $G foo");

        await client.SendAsync("PUB foo 1\r\na\r\nPING\r\n", ct);
        await client.WaitForLineAsync("^PONG$", cancellationToken: ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "1 of max 2 messages delivered");

        await client.SendAsync("PUB foo 1\r\nb\r\nPING\r\n", ct);
        await client.WaitForLineAsync("^PONG$", cancellationToken: ct);
        await RoutePeerNode.AssertReceivesExactlyAsync(peer, "RS- $G foo");
    }

    [Fact]
    public async Task RouteReconnect_SameServerId_InterestSentAgain()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\n", ct);
        await client.PingAsync(cancellationToken: ct);

        var first = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await first.RouteHandshakeAsync(cancellationToken: ct);
        await RoutePeerNode.AssertReceivesExactlyAsync(first, "RS+ $G foo");
        await first.DisposeAsync();
        await Modular.Testing.Wait.Until(
            async () => (await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct)).NumRoutes == 0,
            TimeSpan.FromSeconds(10),
            "the closed fake route to leave /routez");

        await using var second = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await second.RouteHandshakeAsync(cancellationToken: ct);
        await RoutePeerNode.AssertReceivesExactlyAsync(second, "RS+ $G foo");
    }

    [Fact]
    public async Task PeerRsMinus_WithWeightField_ParseErrorClosesRoute()
    {
        // RS- takes no weight: "RS- <acc> <subject> <queue>" only; an extra field is a protocol error.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer = await RoutePeerNode.JoinAsync(node, "FAKEID", ct);
        await peer.SendAsync("RS+ $G foo bar 1\r\n", ct);
        await peer.PingSkippingInfoAsync(ct);

        await peer.SendAsync("RS- $G foo bar 1\r\n", ct);

        Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(10), ct), "the node must close a route that sent RS- with a weight: " + peer.Transcript);
    }

    [Fact]
    public async Task PeerInterest_RouteClosed_RemoteSubscriptionsRemoved()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        var peer = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await peer.RouteHandshakeAsync(cancellationToken: ct);
        await RoutePeerNode.WaitRegisteredAsync(node, peer, ct);
        await peer.SendAsync("RS+ $G foo\r\nRS+ $G bar\r\nRS+ $G baz q 3\r\n", ct);
        await peer.PingSkippingInfoAsync(ct);
        var routez = await MonitorEndpoints.RoutezAsync(node, subs: true, ct);
        var route = Assert.Single(routez.Routes);
        Assert.True(route.Subscriptions == 3, "three remote subscriptions on the route: " + routez.Json);
        Assert.Equal(["bar", "baz", "foo"], route.SubscriptionsList.Order(StringComparer.Ordinal));

        await peer.DisposeAsync();
        await Modular.Testing.Wait.Until(
            async () => (await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct)).NumRoutes == 0,
            TimeSpan.FromSeconds(10),
            "the closed route to leave /routez");

        // Nothing is routed any more: a local publish on those subjects reaches nobody and nothing breaks.
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\nPUB foo 2\r\nok\r\n", ct);
        Assert.Equal("ok", (await client.ReadFrameAsync(cancellationToken: ct)).Payload);
        using var subsz = await MonitorEndpoints.GetJsonAsync(node, "/subsz", ct);
        Assert.True(MonitorEndpoints.Long(subsz.RootElement, "num_subscriptions") == 1, "only the local subscription is left: " + subsz.RootElement.GetRawText());
    }
}
