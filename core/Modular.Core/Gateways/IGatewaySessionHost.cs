using Modular.Core.Routes;

namespace Modular.Core.Gateways;

/// <summary>
/// What a gateway connection needs of the gateways side of its server: the facts it announces, where
/// it registers, and whom it tells what the remote said. <see cref="GatewayManager"/> implements it.
/// </summary>
public interface IGatewaySessionHost
{
    IClusterHost Host { get; }

    /// <summary>This cluster's gateway name.</summary>
    string Name { get; }

    /// <summary>How often gateway connections PING: the server's interval, at most 15 s (nats-server's gwMaxPingInterval).</summary>
    TimeSpan PingInterval { get; }

    /// <summary><c>_GR_.&lt;cluster hash&gt;.&lt;server hash&gt;.</c>, put before the replies sent to other clusters.</summary>
    byte[] ReplyPrefix { get; }

    /// <summary>The INFO this server sends on gateway connections.</summary>
    GatewayInfo BuildInfo();

    /// <summary>Decides on an inbound gateway's CONNECT ([gateway.auth]).</summary>
    Modular.Abstractions.Auth.IAuthenticator Authenticator { get; }

    /// <summary>The user and password to send to the gateway at <paramref name="url"/>.</summary>
    Modular.Abstractions.Auth.RouteCredentials CredentialsFor(Uri url);

    /// <summary>False when an inbound gateway of <paramref name="remoteCluster"/> must be refused (reject_unknown).</summary>
    bool Accepts(string remoteCluster);

    /// <summary>An outbound connection's peer checked out; false when one to that cluster exists already.</summary>
    bool TryRegisterOutbound(GatewayConnection connection, GatewayInfo info);

    /// <summary>An inbound connection's peer sent its INFO: it now gets this cluster's interest.</summary>
    void RegisterInbound(GatewayConnection connection, GatewayInfo info);

    /// <summary>A gossip INFO (gateway_cmd 1) named another cluster: dial it if it is new.</summary>
    void OnGossip(GatewayInfo info);

    /// <summary>
    /// A reply routed back to this cluster (<c>_GR_.</c>) arrived: true when it was handled here, sent
    /// on over the route to the server that sent the request (its server hash), or dropped because
    /// it names another cluster; false when it is this server's to deliver.
    /// </summary>
    bool ForwardsRoutedReply(ref RouteCommand command, Modular.Core.Delivery.FlushBatch batch);

    void OnClosed(GatewayConnection connection);
}
