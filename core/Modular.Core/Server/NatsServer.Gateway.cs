using Modular.Core.Gateways;

namespace Modular.Core.Server;

// What the gateways see of the server, and what routes relay to them.
public sealed partial class NatsServer : IGatewayHost
{
    void IGatewayHost.SendToRoutes(byte[] line) => Routes?.SendToEveryPeer(line);

    Modular.Abstractions.Transport.IConnectionWrapper? IGatewayHost.GatewayConnectionWrapper => Seams.GatewayConnectionWrapper;

    Modular.Abstractions.Auth.IAuthenticator IGatewayHost.GatewayAuthenticator => Seams.GatewayAuthenticator ?? Modular.Core.Routes.OpenRouteAuthenticator.Instance;

    Modular.Abstractions.Auth.IRouteCredentialsProvider IGatewayHost.GatewayCredentials => Seams.GatewayCredentials ?? Modular.Core.Routes.UrlRouteCredentials.Instance;

    IReadOnlyList<byte[]> Routes.IClusterHost.GatewayGossip => Gateways?.GossipForRoutes() ?? [];

    void Routes.IClusterHost.OnGatewayGossip(string gateway, IReadOnlyList<string> urls) => Gateways?.OnGossipFromRoute(gateway, urls);

    Modular.Core.Subjects.IMessagePeer? IGatewayHost.RouteTo(string serverId, Modular.Core.Accounts.Account account) => Routes?.CarrierTo(serverId, account);

    string? Routes.IClusterHost.GatewayUrl => Gateways is { Url.Length: > 0 } gateways ? gateways.Url : null;

    void Routes.IClusterHost.OnPeerGatewayUrl(string serverId, string? url) => Gateways?.OnPeerGatewayUrl(serverId, url);
}
