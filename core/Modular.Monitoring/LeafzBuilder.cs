using Modular.Core.Server;
using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>Builds /leafz from the live leaf node connections (<c>subs=1</c> lists their subjects, <c>acc=</c> filters by account), as nats-server.</summary>
public static class LeafzBuilder
{
    public static MonitorResponse Handle(NatsServer server, MonitorRequest request)
    {
        var subs = request.Query.Get("subs") is "1" or "true";
        var account = request.Query.Get("acc");
        return MonitorResponse.Json(Build(server, subs, account.Length == 0 ? null : account));
    }

    public static Leafz Build(NatsServer server, bool subs, string? account)
    {
        var leafz = new Leafz { ServerId = server.ServerId, Now = DateTime.UtcNow };
        foreach (var connection in server.Leafnodes?.GetConnections() ?? [])
        {
            if (account is not null && connection.Account?.Name != account)
            {
                continue;
            }

            leafz.Leafs.Add(new LeafzInfo
            {
                Name = connection.RemoteName ?? "",
                IsSpoke = connection.IsSpoke,
                Account = connection.Account?.Name ?? "",
                Ip = connection.RemoteEndPoint?.Address.ToString() ?? "",
                Port = connection.RemoteEndPoint?.Port ?? 0,
                Rtt = connection.Rtt is { } rtt ? GoFormat.Duration(rtt) : null,
                InMsgs = connection.InMsgs,
                OutMsgs = connection.OutMsgs,
                InBytes = connection.InBytes,
                OutBytes = connection.OutBytes,
                Subscriptions = connection.RemoteSubscriptionCount,
                SubscriptionsList = subs ? connection.GetRemoteSubscriptions().Select(s => s.SubjectText).ToList() : null,
            });
        }

        leafz.NumLeafs = leafz.Leafs.Count;
        return leafz;
    }
}
