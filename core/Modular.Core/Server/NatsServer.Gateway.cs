using Modular.Core.Gateways;

namespace Modular.Core.Server;

// What the gateways see of the server, and what routes relay to them.
public sealed partial class NatsServer : IGatewayHost
{
    void IGatewayHost.SendToRoutes(byte[] line) => Routes?.SendToEveryPeer(line);

    IReadOnlyList<byte[]> Routes.IClusterHost.GatewayGossip => Gateways?.GossipForRoutes() ?? [];

    void Routes.IClusterHost.OnGatewayGossip(string gateway, IReadOnlyList<string> urls) => Gateways?.OnGossipFromRoute(gateway, urls);
}
