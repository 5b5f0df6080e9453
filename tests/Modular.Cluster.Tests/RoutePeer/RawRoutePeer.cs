using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modular.Testing;

namespace Modular.Cluster.Tests.RoutePeer;

/// <summary>
/// A fake cluster peer over a plain socket, speaking the route protocol by hand: it dials a node's
/// cluster port (or is dialed by a node through <see cref="RawRouteListener"/>), sends
/// CONNECT/INFO/RS+/RS-/RMSG/HMSG/PING as given, answers the node's PINGs, and reads what the
/// node sends with deadlines. Every received byte is in <see cref="Transcript"/>.
/// </summary>
public sealed class RawRoutePeer : IAsyncDisposable
{
    private RawRoutePeer(RawConnection connection, string serverId)
    {
        Connection = connection;
        ServerId = serverId;
        Connection.AnswerPings = true;
    }

    /// <summary>The server_id this fake peer claims.</summary>
    public string ServerId { get; }

    public RawConnection Connection { get; }

    /// <summary>The INFO JSON the node greeted us with (dialed peers), or the INFO it sent after its CONNECT (listening peers).</summary>
    public string NodeInfoJson { get; private set; } = "";

    public string Transcript => Connection.Transcript;

    /// <summary>Dials <paramref name="node"/>'s cluster port and reads the INFO that must come first.</summary>
    public static async Task<RawRoutePeer> DialAsync(NodeProcess node, string serverId, CancellationToken cancellationToken = default)
    {
        var connection = await RawConnection.ConnectAsync(node.ClusterPort, $"route peer {serverId} -> {node.Name}", TimeSpan.FromSeconds(15), cancellationToken);
        var peer = new RawRoutePeer(connection, serverId);
        try
        {
            var info = await connection.ExpectLineAsync(@"^INFO\s*(\{.*\})\s*$", cancellationToken: cancellationToken);
            peer.NodeInfoJson = info.Groups[1].Value;
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    internal static RawRoutePeer Accepted(TcpClient tcp, string serverId) =>
        new(RawConnection.FromAccepted(tcp, $"route peer {serverId} (dialed by the node)"), serverId);

    /// <summary>The next line must be the node's INFO; keeps it in <see cref="NodeInfoJson"/>.</summary>
    public async Task<string> ExpectNodeInfoAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var info = await Connection.ExpectLineAsync(@"^INFO\s*(\{.*\})\s*$", timeout, cancellationToken);
        NodeInfoJson = info.Groups[1].Value;
        return NodeInfoJson;
    }

    public JsonDocument ParseNodeInfo() => JsonDocument.Parse(NodeInfoJson);

    /// <summary>The CONNECT a soliciting server sends (protocol.md §2.2).</summary>
    public Task SendConnectAsync(string cluster = "c1", CancellationToken cancellationToken = default) =>
        SendAsync(
            "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"headers\":true,"
            + $"\"name\":\"{ServerId}\",\"cluster\":\"{cluster}\"}}\r\n",
            cancellationToken);

    /// <summary>A minimal route INFO, as an old (no pool, no compression) server sends it.</summary>
    public Task SendInfoAsync(string cluster = "c1", int port = 7999, string? serverName = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            $"INFO {{\"server_id\":\"{ServerId}\",\"server_name\":\"{serverName ?? "fake-" + ServerId.ToLowerInvariant()}\",\"cluster\":\"{cluster}\","
            + $"\"headers\":true,\"port\":{port},\"host\":\"127.0.0.1\"}}\r\n",
            cancellationToken);

    /// <summary>CONNECT then INFO: what a dialing peer sends to be registered.</summary>
    public async Task HandshakeAsync(string cluster = "c1", CancellationToken cancellationToken = default)
    {
        await SendConnectAsync(cluster, cancellationToken);
        await SendInfoAsync(cluster, cancellationToken: cancellationToken);
    }

    public Task SendAsync(string text, CancellationToken cancellationToken = default) => Connection.SendAsync(text, cancellationToken);

    /// <summary>PING; returns the lines the node sent before its PONG (INFO lines left out).</summary>
    public async Task<IReadOnlyList<string>> PingAsync(CancellationToken cancellationToken = default) =>
        (await Connection.PingAsync(cancellationToken: cancellationToken)).Where(line => !line.StartsWith("INFO", StringComparison.Ordinal)).ToList();

    /// <summary>The next line that is not an INFO.</summary>
    public async Task<string> ReadLineAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var line = await Connection.ReadLineAsync(timeout, cancellationToken)
                ?? throw new RawProtocolMismatchException($"{Connection.Label}: the node closed the route; received: {Transcript}");
            if (!line.StartsWith("INFO", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>The next RMSG/HMSG frame (INFO lines skipped).</summary>
    public Task<RawFrame> ReadMessageAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Connection.ReadFrameAsync(timeout, skip: "^INFO", cancellationToken);

    public Task<Match> ExpectLineAsync(string pattern, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Connection.ExpectLineAsync(pattern, timeout, cancellationToken);

    public Task<bool> WaitForCloseAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Connection.WaitForCloseAsync(timeout, cancellationToken);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

/// <summary>A loopback listener a node is configured to route to; each accepted socket becomes a <see cref="RawRoutePeer"/>.</summary>
public sealed class RawRouteListener : IDisposable
{
    private readonly TcpListener _listener;

    public RawRouteListener()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public async Task<RawRoutePeer> AcceptAsync(string serverId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var tcp = await _listener.AcceptTcpClientAsync(deadline.Token);
            return RawRoutePeer.Accepted(tcp, serverId);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the node did not dial the fake route listener on port {Port} within {timeout.TotalSeconds:0.#}s");
        }
    }

    public void Dispose() => _listener.Stop();
}
