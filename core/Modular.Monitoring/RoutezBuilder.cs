using Modular.Monitoring.Models;
using Modular.Core.Routes;
using Modular.Core.Server;

namespace Modular.Monitoring;

/// <summary>Builds /routez from the live route connections.</summary>
public static class RoutezBuilder
{
    public static Routez Build(NatsServer server, bool subs, bool detail)
    {
        var now = DateTime.UtcNow;
        var routes = server.Routes?.GetRoutes() ?? Array.Empty<RouteConnection>();
        var routez = new Routez
        {
            ServerId = server.ServerId,
            ServerName = server.ServerName,
            Now = now,
            NumRoutes = routes.Count,
        };
        foreach (var route in routes.OrderBy(r => r.Id))
        {
            var model = new RouteInfoModel
            {
                Rid = route.Id,
                RemoteId = route.RemoteId ?? "",
                RemoteName = route.RemoteName ?? "",
                DidSolicit = route.DidSolicit || server.Routes!.IsConfiguredPeer(route.RemoteId),
                IsConfigured = route.IsConfigured || server.Routes!.IsConfiguredPeer(route.RemoteId),
                Ip = route.RemoteEndPoint?.Address.ToString() ?? "",
                Port = route.RemoteEndPoint?.Port ?? 0,
                Start = route.Start,
                LastActivity = route.LastActivity,
                Rtt = route.Rtt is { } rtt ? GoFormat.Duration(rtt) : null,
                RttValue = route.Rtt,
                Uptime = GoFormat.Uptime(now - route.Start),
                Idle = GoFormat.Uptime(now - route.LastActivity),
                PendingSize = route.PendingBytes,
                InMsgs = route.InMsgs,
                OutMsgs = route.OutMsgs,
                InBytes = route.InBytes,
                OutBytes = route.OutBytes,
                Subscriptions = route.RemoteSubscriptionCount,
                Account = route.PinnedAccount?.Name,
                Compression = route.CompressionMode,
                SlowConsumers = route.SlowConsumerCount,
                MonitorUrl = route.RemoteInfo?.MonitorUrl,
            };
            var (outUncompressed, outCompressed, inCompressed, inUncompressed) = route.CompressionCounts;
            model.CompressionOutBytesUncompressed = outUncompressed;
            model.CompressionOutBytesCompressed = outCompressed;
            model.CompressionInBytesCompressed = inCompressed;
            model.CompressionInBytesUncompressed = inUncompressed;
            if (subs || detail)
            {
                var remote = route.GetRemoteSubscriptions();
                if (detail)
                {
                    model.SubscriptionsListDetail = remote
                        .Select(s => new SubDetail { Subject = s.SubjectText, Queue = s.QueueText, Sid = "", Msgs = 0, Cid = route.Id })
                        .ToList();
                }
                else
                {
                    model.SubscriptionsList = remote.Select(s => s.SubjectText).ToList();
                }
            }

            routez.Routes.Add(model);
        }

        return routez;
    }
}
