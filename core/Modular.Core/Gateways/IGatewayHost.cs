using Modular.Core.Routes;

namespace Modular.Core.Gateways;

/// <summary>What the gateways need of the server beyond what the cluster needs: a way to tell this cluster's other servers about a gateway.</summary>
public interface IGatewayHost : IClusterHost
{
    /// <summary>Queues an INFO line on a route to every other server of this cluster (none without routes).</summary>
    void SendToRoutes(byte[] line);

    /// <summary>Wraps gateway connections before the first protocol byte ([gateway.tls]); read at each use.</summary>
    Modular.Abstractions.Transport.IConnectionWrapper? GatewayConnectionWrapper { get; }

    /// <summary>Decides on the CONNECT of an inbound gateway ([gateway.auth]; open without it); read at each use.</summary>
    Modular.Abstractions.Auth.IAuthenticator GatewayAuthenticator { get; }

    /// <summary>The user and password a dialed gateway sends (the URL's, or [gateway.auth]'s); read at each use.</summary>
    Modular.Abstractions.Auth.IRouteCredentialsProvider GatewayCredentials { get; }

    /// <summary>The route to the peer <paramref name="serverId"/> that carries <paramref name="account"/>; null when there is none.</summary>
    Modular.Core.Subjects.IMessagePeer? RouteTo(string serverId, Modular.Core.Accounts.Account account);
}
