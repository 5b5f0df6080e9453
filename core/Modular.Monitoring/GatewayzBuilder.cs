using Modular.Core.Gateways;
using Modular.Core.Server;
using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>Builds /gatewayz from the live gateway connections (empty maps without <c>[gateway]</c>, as nats-server).</summary>
public static class GatewayzBuilder
{
    public static Gatewayz Build(NatsServer server)
    {
        var now = DateTime.UtcNow;
        var gatewayz = new Gatewayz { ServerId = server.ServerId, Now = now };
        if (server.Gateways is not { } gateways)
        {
            return gatewayz;
        }

        var info = gateways.BuildInfo();
        gatewayz.Name = gateways.Name;
        gatewayz.Host = info.Host;
        gatewayz.Port = info.Port;
        var configured = gateways.Options.Gateways.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var connection in gateways.GetOutbound())
        {
            gatewayz.OutboundGateways[connection.RemoteCluster!] = Remote(connection, configured.Contains(connection.RemoteCluster!), now);
        }

        foreach (var connection in gateways.GetInbound())
        {
            var name = connection.RemoteCluster ?? "";
            if (!gatewayz.InboundGateways.TryGetValue(name, out var list))
            {
                gatewayz.InboundGateways[name] = list = new List<RemoteGatewayz>();
            }

            // As nats-server: "configured" describes the outbound side only.
            list.Add(Remote(connection, isConfigured: false, now));
        }

        return gatewayz;
    }

    private static RemoteGatewayz Remote(GatewayConnection connection, bool isConfigured, DateTime now) => new()
    {
        IsConfigured = isConfigured,
        Connection = new ConnInfo
        {
            Cid = connection.Id,
            Ip = connection.RemoteEndPoint?.Address.ToString() ?? "",
            Port = connection.RemoteEndPoint?.Port ?? 0,
            Start = connection.Start,
            LastActivity = connection.LastActivity,
            Rtt = connection.Rtt is { } rtt ? GoFormat.Duration(rtt) : null,
            Uptime = GoFormat.Uptime(now - connection.Start),
            Idle = GoFormat.Uptime(now - connection.LastActivity),
            PendingBytes = connection.PendingBytes,
            InMsgs = connection.InMsgs,
            OutMsgs = connection.OutMsgs,
            InBytes = connection.InBytes,
            OutBytes = connection.OutBytes,
            Subscriptions = connection.RemoteSubscriptionCount,
            Name = connection.RemoteId,
        },
    };
}
