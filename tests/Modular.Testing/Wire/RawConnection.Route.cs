namespace Modular.Testing;

/// <summary>
/// The route verbs, for a fake cluster peer: dial a node's cluster port (or be dialed through
/// <see cref="RawRouteListener"/>), send the route CONNECT and INFO a soliciting server sends, then
/// RS+/RS-/RMSG/HMSG/PING as given; reads that skip the INFO updates a node sends on a route.
/// </summary>
public sealed partial class RawConnection
{
    /// <summary>The server_id this connection claims as a route peer (null for a client).</summary>
    public string? ServerId { get; private set; }

    private string RouteServerId => ServerId ?? throw new InvalidOperationException($"{Label} is not a route peer");

    /// <summary>Dials the cluster port <paramref name="clusterPort"/> as peer <paramref name="serverId"/> and reads the INFO that must come first.</summary>
    public static Task<RawConnection> DialRouteAsync(int clusterPort, string serverId, string nodeName, CancellationToken cancellationToken = default) =>
        DialPeerAsync(clusterPort, serverId, $"route peer {serverId} -> {nodeName}", cancellationToken);

    /// <summary>Dials a server-to-server port as <paramref name="serverId"/> and reads the INFO the accepting side sends first.</summary>
    private static async Task<RawConnection> DialPeerAsync(int port, string serverId, string label, CancellationToken cancellationToken)
    {
        var peer = await ConnectAsync(port, label, TimeSpan.FromSeconds(15), cancellationToken: cancellationToken).ConfigureAwait(false);
        peer.ServerId = serverId;
        peer.AnswerPings = true;
        try
        {
            await peer.ExpectInfoAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A route peer over a socket a node dialed (see <see cref="RawRouteListener"/>).</summary>
    internal static RawConnection AcceptedRoute(System.Net.Sockets.TcpClient tcp, string serverId) =>
        new(tcp, $"route peer {serverId} (dialed by the node)") { ServerId = serverId, AnswerPings = true };

    /// <summary>The CONNECT a soliciting server sends (protocol.md §2.2).</summary>
    public Task SendRouteConnectAsync(string cluster = "c1", CancellationToken cancellationToken = default) =>
        SendAsync(
            "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"headers\":true,"
            + $"\"name\":\"{RouteServerId}\",\"cluster\":\"{cluster}\"}}\r\n",
            cancellationToken);

    /// <summary>A minimal route INFO, as an old (no pool, no compression) server sends it.</summary>
    public Task SendRouteInfoAsync(string cluster = "c1", int port = 7999, string? serverName = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            $"INFO {{\"server_id\":\"{RouteServerId}\",\"server_name\":\"{serverName ?? "fake-" + RouteServerId.ToLowerInvariant()}\",\"cluster\":\"{cluster}\","
            + $"\"headers\":true,\"port\":{port},\"host\":\"127.0.0.1\"}}\r\n",
            cancellationToken);

    /// <summary>CONNECT then INFO: what a dialing peer sends to be registered.</summary>
    public async Task RouteHandshakeAsync(string cluster = "c1", CancellationToken cancellationToken = default)
    {
        await SendRouteConnectAsync(cluster, cancellationToken).ConfigureAwait(false);
        await SendRouteInfoAsync(cluster, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PING; returns the lines received before the PONG, INFO updates left out.</summary>
    public async Task<IReadOnlyList<string>> PingSkippingInfoAsync(CancellationToken cancellationToken = default) =>
        (await PingAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Where(line => !IsInfo(line)).ToList();

    /// <summary>The next line that is not an INFO; throws when the other side closed.</summary>
    public async Task<string> ReadLineSkippingInfoAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var line = await ReadLineAsync(timeout, cancellationToken).ConfigureAwait(false)
                ?? throw new RawProtocolMismatchException($"{Label}: the other side closed; received: {Transcript}");
            if (!IsInfo(line))
            {
                return line;
            }
        }
    }

    /// <summary>The next RMSG/HMSG frame, INFO updates skipped.</summary>
    public Task<RawFrame> ReadRouteMessageAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ReadFrameAsync(timeout, skip: "^INFO", cancellationToken);

    private static bool IsInfo(string line) => line.StartsWith("INFO", StringComparison.Ordinal);
}
