namespace Modular.Testing;

/// <summary>
/// The gateway verbs, for a fake server of another cluster (nats-server gateway.go): dial a node's
/// gateway port as an outbound gateway would, read its INFO, send the gateway CONNECT (with a user
/// and password when given) and INFO, then RMSG/A+/A-/RS+/RS- as a test needs.
/// </summary>
public sealed partial class RawConnection
{
    /// <summary>Dials the gateway port <paramref name="gatewayPort"/> as server <paramref name="serverId"/> of another cluster and reads the INFO that must come first.</summary>
    public static Task<RawConnection> DialGatewayAsync(int gatewayPort, string serverId, string nodeName, CancellationToken cancellationToken = default) =>
        DialPeerAsync(gatewayPort, serverId, $"gateway peer {serverId} -> {nodeName}", cancellationToken);

    /// <summary>The CONNECT an outbound gateway sends (gateway.go sendGatewayConnect).</summary>
    public Task SendGatewayConnectAsync(string gateway, string? user = null, string? password = null, CancellationToken cancellationToken = default)
    {
        var credentials = user is null ? "" : $"\"user\":\"{user}\",\"pass\":\"{password}\",";
        return SendAsync($"CONNECT {{\"echo\":false,\"verbose\":false,\"pedantic\":false,{credentials}\"tls_required\":false,\"name\":\"{RouteServerId}\",\"gateway\":\"{gateway}\"}}\r\n", cancellationToken);
    }

    /// <summary>
    /// The INFO an outbound gateway sends after its CONNECT. <paramref name="interestOnly"/> false
    /// (gateway_iom absent) is what a server that may send optimistically says.
    /// </summary>
    public Task SendGatewayInfoAsync(string gateway, bool interestOnly = true, int port = 7999, CancellationToken cancellationToken = default) =>
        SendAsync(
            $"INFO {{\"server_id\":\"{RouteServerId}\",\"server_name\":\"fake-{RouteServerId.ToLowerInvariant()}\",\"gateway\":\"{gateway}\","
            + $"\"gateway_urls\":[\"127.0.0.1:{port}\"],\"gateway_nrp\":true,{(interestOnly ? "\"gateway_iom\":true," : "")}\"headers\":true,\"port\":{port},\"host\":\"127.0.0.1\"}}\r\n",
            cancellationToken);
}
