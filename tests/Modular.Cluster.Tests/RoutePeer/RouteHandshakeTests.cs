using System.Text.Json;
using Modular.Testing;

namespace Modular.Cluster.Tests.RoutePeer;

/// <summary>Route connection setup, byte for byte (protocol.md §2.1–§2.3, §3.5; scenarios 1, 4–7 of §12).</summary>
public sealed class RouteHandshakeTests
{
    [Fact]
    public async Task Dial_ClusterPort_NodeInfoFirstWithIdClusterHeadersAndNoPoolSize()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var node = await RoutePeerNode.StartAsync(timeout.Token);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", timeout.Token);

        using var info = peer.ParseInfo();
        var root = info.RootElement;
        var context = $"node INFO: {peer.InfoJson}";
        Assert.True(MonitorEndpoints.Str(root, "server_id") is { Length: > 0 }, context);
        Assert.Equal(await MonitorEndpoints.ServerIdAsync(node, timeout.Token), MonitorEndpoints.Str(root, "server_id"));
        Assert.True(MonitorEndpoints.Str(root, "cluster") == "c1", context);
        Assert.True(MonitorEndpoints.Bool(root, "headers"), context);
        Assert.True(MonitorEndpoints.Long(root, "port") == node.ClusterPort, "INFO port must be the cluster port; " + context);
        Assert.False(root.TryGetProperty("route_pool_size", out _), "pool_size = -1: no route_pool_size; " + context);
        Assert.False(root.TryGetProperty("route_account", out _), context);
    }

    [Fact]
    public async Task Dial_ConnectThenInfo_RegisteredAsRouteAndAnswersPing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var node = await RoutePeerNode.StartAsync(timeout.Token);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", timeout.Token);

        await peer.RouteHandshakeAsync(cancellationToken: timeout.Token);
        await RoutePeerNode.AssertNothingMoreAsync(peer, "a node without subscriptions after the handshake");
        await RoutePeerNode.WaitRegisteredAsync(node, peer, timeout.Token);

        var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token);
        var route = Assert.Single(routez.Routes);
        Assert.True(route.RemoteName == "fake-fakeid" && !route.DidSolicit && !route.IsConfigured && route.Ip == "127.0.0.1", routez.Summary());
        Assert.Equal(1, routez.NumRoutes);
    }

    [Fact]
    public async Task ClientConnect_OnRoutePort_AttemptedToConnectToRoutePortError()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var node = await RoutePeerNode.StartAsync(timeout.Token);
        await using var peer = await RoutePeerNode.DialAsync(node, "client", timeout.Token);

        await peer.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"go\",\"version\":\"1.41.0\",\"protocol\":1}\r\n", timeout.Token);

        await peer.ExpectLineAsync(@"^-ERR 'attempted to connect to route port'$", cancellationToken: timeout.Token);
        Assert.True(await peer.WaitForCloseAsync(cancellationToken: timeout.Token), "the node must close the wrong-port client: " + peer.Transcript);
    }

    [Theory]
    [InlineData("PING\r\n")]
    [InlineData("RS+ $G foo\r\n")]
    [InlineData("INFO {\"server_id\":\"FAKEID\",\"cluster\":\"c1\"}\r\n")]
    public async Task FirstOperation_NotConnect_AuthorizationViolation(string first)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var node = await RoutePeerNode.StartAsync(timeout.Token);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", timeout.Token);
        peer.AnswerPings = false;

        await peer.SendAsync(first, timeout.Token);

        await peer.ExpectLineAsync(@"^-ERR 'Authorization Violation'$", cancellationToken: timeout.Token);
        Assert.True(await peer.WaitForCloseAsync(cancellationToken: timeout.Token), "the node must close after the violation: " + peer.Transcript);
        Assert.Equal(0, (await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token)).NumRoutes);
    }

    [Fact]
    public async Task Connect_OtherClusterName_DoesNotMatchErrorAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var node = await RoutePeerNode.StartAsync(timeout.Token);
        await using var peer = await RoutePeerNode.DialAsync(node, "FAKEID", timeout.Token);

        await peer.SendRouteConnectAsync(cluster: "other", cancellationToken: timeout.Token);

        await peer.ExpectLineAsync(@"^-ERR '.*does not match.*'$", cancellationToken: timeout.Token);
        Assert.True(await peer.WaitForCloseAsync(cancellationToken: timeout.Token), "the node must close the mismatched route: " + peer.Transcript);
        Assert.Equal(0, (await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token)).NumRoutes);
    }

    [Fact]
    public async Task Info_WithNodesOwnServerId_RouteToSelfClosed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var node = await RoutePeerNode.StartAsync(timeout.Token);
        var ownId = await MonitorEndpoints.ServerIdAsync(node, timeout.Token);
        await using var peer = await RoutePeerNode.DialAsync(node, ownId, timeout.Token);

        await peer.RouteHandshakeAsync(cancellationToken: timeout.Token);

        Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(10), timeout.Token), "a route claiming the node's own server_id must be closed: " + peer.Transcript);
        Assert.Equal(0, (await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token)).NumRoutes);
    }

    [Fact]
    public async Task Solicit_NodeDialsConfiguredRoute_SendsConnectWithItsServerIdFirstThenInfo()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var listener = new RawRouteListener();
        await using var node = await RoutePeerNode.StartAsync(ct, routes: [listener.Port]);
        var nodeId = await MonitorEndpoints.ServerIdAsync(node, ct);
        await using var peer = await listener.AcceptAsync("FAKEID", TimeSpan.FromSeconds(15), ct);

        var connect = await peer.ExpectLineAsync(@"^CONNECT\s*(\{.*\})\s*$", cancellationToken: ct);
        using (var json = JsonDocument.Parse(connect.Groups[1].Value))
        {
            var root = json.RootElement;
            var context = "CONNECT " + connect.Groups[1].Value;
            Assert.True(MonitorEndpoints.Str(root, "name") == nodeId, "CONNECT name must be the node's server_id; " + context);
            Assert.True(MonitorEndpoints.Str(root, "cluster") == "c1", context);
            Assert.True(root.TryGetProperty("verbose", out var verbose) && verbose.ValueKind == JsonValueKind.False, context);
            Assert.True(root.TryGetProperty("pedantic", out var pedantic) && pedantic.ValueKind == JsonValueKind.False, context);
            Assert.True(MonitorEndpoints.Bool(root, "echo"), context);
            Assert.True(MonitorEndpoints.Bool(root, "headers"), context);
            Assert.True(MonitorEndpoints.Str(root, "lang") is null or "", "a route CONNECT must not carry lang (nats-server would take it for a client); " + context);
        }

        await peer.SendRouteInfoAsync(cancellationToken: ct);
        var info = await peer.ExpectInfoAsync(cancellationToken: ct);
        using (var json = JsonDocument.Parse(info))
        {
            Assert.True(MonitorEndpoints.Str(json.RootElement, "server_id") == nodeId, "INFO " + info);
            Assert.True(MonitorEndpoints.Str(json.RootElement, "cluster") == "c1", "INFO " + info);
            Assert.False(json.RootElement.TryGetProperty("route_pool_size", out _), "pool_size = -1: no route_pool_size; INFO " + info);
        }

        await RoutePeerNode.WaitRegisteredAsync(node, peer, ct);
        var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
        var route = Assert.Single(routez.Routes);
        Assert.True(route.DidSolicit && route.IsConfigured, "the node dialed a configured route: " + routez.Summary());
    }

    [Fact]
    public async Task Solicit_AfterHandshake_InterestAndMessagesFlowOnTheDialedRoute()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var listener = new RawRouteListener();
        await using var node = await RoutePeerNode.StartAsync(ct, routes: [listener.Port]);
        await using var peer = await listener.AcceptAsync("FAKEID", TimeSpan.FromSeconds(15), ct);
        await peer.ExpectLineAsync(@"^CONNECT\s*\{", cancellationToken: ct);
        await peer.SendRouteInfoAsync(cancellationToken: ct);
        await peer.ExpectInfoAsync(cancellationToken: ct);
        await RoutePeerNode.WaitRegisteredAsync(node, peer, ct);

        await using var client = await RawConnection.ConnectClientAsync(node, cancellationToken: ct);
        await client.SendAsync("SUB foo 1\r\n", ct);
        await client.PingAsync(cancellationToken: ct);
        await RoutePeerNode.AssertReceivesExactlyAsync(peer, "RS+ $G foo");

        await peer.SendAsync("RMSG $G foo 2\r\nok\r\n", ct);
        var message = await client.ReadFrameAsync(cancellationToken: ct);
        Assert.Equal("MSG foo 1 2", message.Line);
        Assert.Equal("ok", message.Payload);
    }
}
