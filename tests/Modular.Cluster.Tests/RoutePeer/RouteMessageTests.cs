using Modular.Testing;

namespace Modular.Cluster.Tests.RoutePeer;

/// <summary>RMSG/HMSG in both directions, byte for byte (protocol.md §2.5, §7.3; scenarios 19–23 of §12).</summary>
public sealed class RouteMessageTests
{
    private const string HeaderBlock = "NATS/1.0\r\n\r\n";

    [Fact]
    public async Task ClientPublish_PeerInterest_ExactRmsgAndHmsgLines()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer = await RoutePeerNode.JoinAsync(node, "FAKEID", ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);

        async Task<RawFrame> Publish(string protocol)
        {
            await client.SendAsync(protocol + "PING\r\n", ct);
            await client.WaitForLineAsync("^PONG$", cancellationToken: ct);
            return await peer.ReadRouteMessageAsync(cancellationToken: ct);
        }

        // Plain interest.
        await peer.SendAsync("RS+ $G foo\r\n", ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "after RS+ $G foo");
        var plain = await Publish("PUB foo 2\r\nok\r\n");
        Assert.Equal("RMSG $G foo 2", plain.Line);
        Assert.Equal("ok", plain.Payload);
        var withReply = await Publish("PUB foo reply 2\r\nok\r\n");
        Assert.Equal("RMSG $G foo reply 2", withReply.Line);

        // Headers: HMSG with the header size and the total size.
        var hmsg = await Publish($"HPUB foo {HeaderBlock.Length} {HeaderBlock.Length + 2}\r\n{HeaderBlock}ok\r\n");
        Assert.Equal($"HMSG $G foo {HeaderBlock.Length} {HeaderBlock.Length + 2}", hmsg.Line);
        Assert.Equal(HeaderBlock + "ok", hmsg.Payload);
        var hmsgReply = await Publish($"HPUB foo reply {HeaderBlock.Length} {HeaderBlock.Length + 2}\r\n{HeaderBlock}ok\r\n");
        Assert.Equal($"HMSG $G foo reply {HeaderBlock.Length} {HeaderBlock.Length + 2}", hmsgReply.Line);

        // Queue interest: the groups the peer was picked for ride on the same RMSG.
        await peer.SendAsync("RS+ $G foo bar 1\r\n", ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "after RS+ $G foo bar 1");
        Assert.Equal("RMSG $G foo + reply bar 2", (await Publish("PUB foo reply 2\r\nok\r\n")).Line);
        Assert.Equal("RMSG $G foo | bar 2", (await Publish("PUB foo 2\r\nok\r\n")).Line);
        var hmsgQueue = await Publish($"HPUB foo {HeaderBlock.Length} {HeaderBlock.Length + 2}\r\n{HeaderBlock}ok\r\n");
        Assert.Equal($"HMSG $G foo | bar {HeaderBlock.Length} {HeaderBlock.Length + 2}", hmsgQueue.Line);

        await peer.SendAsync("RS+ $G foo baz 1\r\n", ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "after RS+ $G foo baz 1");
        var twoGroups = await Publish("PUB foo reply 2\r\nok\r\n");
        Assert.Matches(@"^RMSG \$G foo \+ reply (bar baz|baz bar) 2$", twoGroups.Line);

        // Interest gone: back to a plain RMSG, then nothing.
        await peer.SendAsync("RS- $G foo bar\r\nRS- $G foo baz\r\n", ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "after RS- of both groups");
        Assert.Equal("RMSG $G foo 2", (await Publish("PUB foo 2\r\nok\r\n")).Line);
        await peer.SendAsync("RS- $G foo\r\n", ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "after RS- $G foo");
        await client.SendAsync("PUB foo 2\r\nok\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "a publish after the peer's interest is gone");
    }

    [Fact]
    public async Task ClientPublish_DuplicateAndOverlappingPeerInterest_OneRmsgPerPublish()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer = await RoutePeerNode.JoinAsync(node, "FAKEID", ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);

        await peer.SendAsync("RS+ $G foo\r\nRS+ $G foo\r\nRS+ $G foo.*\r\nRS+ $G >\r\n", ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "after the RS+ lines");
        await client.SendAsync("PUB foo 2\r\nok\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        Assert.Equal("RMSG $G foo 2", (await peer.ReadRouteMessageAsync(cancellationToken: ct)).Line);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "one publish must give one RMSG");

        // A weight update replaces the queue weight; still one RMSG per publish.
        await peer.SendAsync("RS+ $G foo bar 1\r\nRS+ $G foo bar 2\r\n", ct);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "after RS+ foo bar 1 then 2");
        await client.SendAsync("PUB foo 2\r\nok\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        Assert.Equal("RMSG $G foo | bar 2", (await peer.ReadRouteMessageAsync(cancellationToken: ct)).Line);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "one publish must give one RMSG");
    }

    [Fact]
    public async Task PeerRmsg_PlainAndQueueLists_DeliveredToPlainAndOneMemberPerListedGroup()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\nSUB foo bar 11\r\nSUB foo bar 12\r\nSUB foo baz 22\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await peer.RouteHandshakeAsync(cancellationToken: ct);
        await peer.PingSkippingInfoAsync(ct); // the interest dump
        await RoutePeerNode.WaitRegisteredAsync(node, peer, ct);

        async Task<List<RawFrame>> Route(string protocol, int expected)
        {
            await peer.SendAsync(protocol, ct);
            await peer.PingSkippingInfoAsync(ct);
            var frames = new List<RawFrame>();
            for (var i = 0; i < expected; i++)
            {
                frames.Add(await client.ReadFrameAsync(cancellationToken: ct));
            }

            var extra = await client.PingAsync(cancellationToken: ct);
            Assert.True(extra.Count == 0, $"after {RawConnection.Escape(protocol)} expected {expected} MSG, also got [{string.Join(" | ", extra)}]");
            return frames;
        }

        static string Sids(IEnumerable<RawFrame> frames) => string.Join(",", frames.Select(f => f.Args[1]).Order(StringComparer.Ordinal));

        var plainOnly = await Route("RMSG $G foo 2\r\nok\r\n", 1);
        Assert.Equal("MSG foo 1 2", plainOnly[0].Line);
        Assert.Equal("ok", plainOnly[0].Payload);

        var withBar = await Route("RMSG $G foo | bar 2\r\nok\r\n", 2);
        Assert.Matches("^1,1[12]$", Sids(withBar));

        var withBarBaz = await Route("RMSG $G foo | bar baz 2\r\nok\r\n", 3);
        Assert.Matches("^1,1[12],22$", Sids(withBarBaz));

        var withReply = await Route("RMSG $G foo + reply bar baz 2\r\nok\r\n", 3);
        Assert.Matches("^1,1[12],22$", Sids(withReply));
        Assert.All(withReply, f => Assert.Equal("reply", f.Args[2]));

        var headers = await Route($"HMSG $G foo {HeaderBlock.Length} {HeaderBlock.Length + 2}\r\n{HeaderBlock}ok\r\n", 1);
        Assert.Equal($"HMSG foo 1 {HeaderBlock.Length} {HeaderBlock.Length + 2}", headers[0].Line);
        Assert.Equal(HeaderBlock + "ok", headers[0].Payload);

        // Over many messages both members of bar are used, and each message reaches exactly one.
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 40; i++)
        {
            foreach (var frame in await Route("RMSG $G foo | bar 2\r\nok\r\n", 2))
            {
                counts[frame.Args[1]] = counts.GetValueOrDefault(frame.Args[1]) + 1;
            }
        }

        Assert.Equal(40, counts["1"]);
        Assert.Equal(40, counts.GetValueOrDefault("11") + counts.GetValueOrDefault("12"));
    }

    [Fact]
    public async Task PeerRmsg_NeverForwardedToAnotherRoute()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer1 = await RoutePeerNode.DialAsync(node, "FAKE1", ct);
        await using var peer2 = await RoutePeerNode.DialAsync(node, "FAKE2", ct);
        await peer1.RouteHandshakeAsync(cancellationToken: ct);
        await peer2.RouteHandshakeAsync(cancellationToken: ct);
        await RoutePeerNode.WaitRegisteredAsync(node, peer1, ct);
        await RoutePeerNode.WaitRegisteredAsync(node, peer2, ct);
        await peer1.SendAsync("RS+ $G foo\r\n", ct);
        await peer2.SendAsync("RS+ $G foo\r\n", ct);
        await peer1.PingSkippingInfoAsync(ct);
        await peer2.PingSkippingInfoAsync(ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await peer1.PingSkippingInfoAsync(ct);
        await peer2.PingSkippingInfoAsync(ct);

        await peer1.SendAsync("RMSG $G foo 6\r\nrouted\r\n", ct);
        await peer1.PingSkippingInfoAsync(ct);
        Assert.Equal("routed", (await client.ReadFrameAsync(cancellationToken: ct)).Payload);

        // A client publish after it: the first RMSG each peer gets must be the client's.
        await client.SendAsync("PUB foo 6\r\nclient\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        var at2 = await peer2.ReadRouteMessageAsync(cancellationToken: ct);
        Assert.True(at2.Payload == "client", $"peer 2 got a message routed from peer 1 (one-hop rule): {at2.Line} {at2.Payload}; transcript {peer2.Transcript}");
        var at1 = await peer1.ReadRouteMessageAsync(cancellationToken: ct);
        Assert.True(at1.Payload == "client", $"peer 1 got its own routed message back: {at1.Line} {at1.Payload}; transcript {peer1.Transcript}");
        Assert.Equal("RMSG $G foo 6", at1.Line);
        Assert.Equal("RMSG $G foo 6", at2.Line);
    }

    [Fact]
    public async Task PeerRmsg_UnknownAccount_DroppedAndRouteStaysUp()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var peer = await RoutePeerNode.JoinAsync(node, "FAKEID", ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\n", ct);
        await client.PingAsync(cancellationToken: ct);

        await peer.SendAsync("RMSG NOPE foo 2\r\nno\r\nRS+ NOPE foo\r\nRMSG $G foo 3\r\nyes\r\n", ct);
        await peer.PingSkippingInfoAsync(ct);

        var frame = await client.ReadFrameAsync(cancellationToken: ct);
        Assert.Equal("yes", frame.Payload);
        Assert.Empty(await client.PingAsync(cancellationToken: ct));
        Assert.False(peer.IsClosed, "the route must stay up: " + peer.Transcript);
    }

    [Fact]
    public async Task PeerHmsg_ClientWithoutHeaderSupport_GetsMsgWithHeadersRemoved()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var client = await RawConnection.ConnectClientAsync(node, """{"verbose":false,"pedantic":false,"headers":false}""", cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await peer.RouteHandshakeAsync(cancellationToken: ct);
        await peer.PingSkippingInfoAsync(ct);

        var header = "NATS/1.0\r\nX-A: b\r\n\r\n";
        await peer.SendAsync($"HMSG $G foo {header.Length} {header.Length + 2}\r\n{header}ok\r\n", ct);
        await peer.PingSkippingInfoAsync(ct);

        var frame = await client.ReadFrameAsync(cancellationToken: ct);
        Assert.Equal("MSG foo 1 2", frame.Line);
        Assert.Equal("ok", frame.Payload);
    }

    [Fact]
    public async Task PeerRmsg_SplitIntoTinyWrites_DeliveredIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo.bar 1\r\nSUB foo.bar q 2\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await peer.RouteHandshakeAsync(cancellationToken: ct);
        await peer.PingSkippingInfoAsync(ct);

        var wire = "RMSG $G foo.bar + reply.to q 11\r\nhello world\r\nHMSG $G foo.bar 12 15\r\nNATS/1.0\r\n\r\nabc\r\n";
        for (var i = 0; i < wire.Length; i += 3)
        {
            await peer.SendAsync(wire.Substring(i, Math.Min(3, wire.Length - i)), ct);
        }

        await peer.PingSkippingInfoAsync(ct);
        var frames = new List<RawFrame>();
        for (var i = 0; i < 3; i++)
        {
            frames.Add(await client.ReadFrameAsync(cancellationToken: ct));
        }

        Assert.Empty(await client.PingAsync(cancellationToken: ct));
        Assert.Equal(
            ["HMSG foo.bar 1 12 15", "MSG foo.bar 1 reply.to 11", "MSG foo.bar 2 reply.to 11"],
            frames.Select(f => f.Line).Order(StringComparer.Ordinal));
        Assert.All(frames.Where(f => f.Verb == "MSG"), f => Assert.Equal("hello world", f.Payload));
        Assert.Equal("NATS/1.0\r\n\r\nabc", frames.Single(f => f.Verb == "HMSG").Payload);
    }

    [Fact]
    public async Task PeerRmsg_LargerThanClientMaxPayload_StillDelivered()
    {
        // max_payload limits what clients publish; routes carry any size.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await RoutePeerNode.StartAsync(ct);
        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB big 1\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", ct);
        await peer.RouteHandshakeAsync(cancellationToken: ct);
        await peer.PingSkippingInfoAsync(ct);

        var payload = new string('x', 2 * 1024 * 1024);
        await peer.SendAsync($"RMSG $G big {payload.Length}\r\n{payload}\r\n", ct);

        var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(15), cancellationToken: ct);
        Assert.Equal($"MSG big 1 {payload.Length}", frame.Line);
        Assert.True(frame.Payload == payload, "the 2 MiB routed payload changed");
        Assert.False(peer.IsClosed, "the route must stay up: " + peer.Transcript[..Math.Min(2000, peer.Transcript.Length)]);
    }
}
