using Modular.Core.Gateways;
using Modular.Core.Server;
using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>
/// Builds /gatewayz from the live gateway connections (empty maps without <c>[gateway]</c>), with
/// nats-server's parameters (monitor.go HandleGatewayz): <c>gw_name</c> keeps one remote cluster,
/// <c>accs=1</c> adds each connection's accounts, <c>acc_name</c> one account (and implies accs),
/// <c>subs=1</c> / <c>subs=detail</c> the remote cluster's subscriptions per account.
/// </summary>
public static class GatewayzBuilder
{
    /// <summary>What a /gatewayz request asked for.</summary>
    public sealed record Query(string? GatewayName = null, bool Accounts = false, string? AccountName = null, bool Subscriptions = false, bool SubscriptionsDetail = false)
    {
        public bool WithAccounts => Accounts || AccountName is not null;
    }

    /// <summary>Decodes the parameters (a bad boolean is a 400 with nats-server's text) and builds the document.</summary>
    public static MonitorResponse Handle(NatsServer server, MonitorRequest request)
    {
        var (subs, detail) = MonitorQuery.Subs(request.Query);
        var accs = MonitorQuery.Bool(request.Query, "accs");
        var gatewayName = request.Query.Get("gw_name");
        var accountName = request.Query.Get("acc_name");
        var query = new Query(gatewayName.Length == 0 ? null : gatewayName, accs, accountName.Length == 0 ? null : accountName, subs, detail);
        return MonitorResponse.Json(Build(server, query));
    }

    public static Gatewayz Build(NatsServer server, Query? query = null)
    {
        query ??= new Query();
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
            if (query.GatewayName is null || query.GatewayName == connection.RemoteCluster)
            {
                var remote = Remote(connection, configured.Contains(connection.RemoteCluster!), now);
                remote.Accounts = query.WithAccounts ? OutboundAccounts(connection, query) : null;
                gatewayz.OutboundGateways![connection.RemoteCluster!] = remote;
            }
        }

        // As nats-server: a gw_name with no outbound connection gives a null map, not an empty one.
        if (query.GatewayName is not null && gatewayz.OutboundGateways!.Count == 0)
        {
            gatewayz.OutboundGateways = null;
        }

        foreach (var connection in gateways.GetInbound())
        {
            var name = connection.RemoteCluster ?? "";
            if (query.GatewayName is not null && query.GatewayName != name)
            {
                continue;
            }

            if (!gatewayz.InboundGateways.TryGetValue(name, out var list))
            {
                gatewayz.InboundGateways[name] = list = new List<RemoteGatewayz>();
            }

            // As nats-server: "configured" describes the outbound side only.
            var remote = Remote(connection, isConfigured: false, now);
            remote.Accounts = query.WithAccounts ? InboundAccounts(server, query) : null;
            list.Add(remote);
        }

        return gatewayz;
    }

    /// <summary>
    /// The accounts the remote cluster switched to interest-only here, and any it has interest in,
    /// with that interest counted (nats-server's outsim). Modular never sends optimistically, so
    /// every one is "Interest-Only".
    /// </summary>
    private static List<AccountGatewayz>? OutboundAccounts(GatewayConnection connection, Query query)
    {
        var interest = connection.GetRemoteSubscriptionsByAccount().ToDictionary(e => e.Account.Name, e => e.Subscriptions, StringComparer.Ordinal);
        var names = connection.InterestOnlyAccounts.Concat(interest.Keys).Distinct().Order(StringComparer.Ordinal);
        var accounts = new List<AccountGatewayz>();
        foreach (var name in names)
        {
            if (query.AccountName is not null && query.AccountName != name)
            {
                continue;
            }

            var subs = interest.TryGetValue(name, out var list) ? list : [];
            accounts.Add(new AccountGatewayz
            {
                Name = name,
                NumSubs = subs.Count,
                NumQueueSubs = subs.Count(s => s.Queue is not null),
                Subscriptions = query.Subscriptions ? subs.Select(s => s.SubjectText).ToList() : null,
                SubscriptionsDetail = query.SubscriptionsDetail
                    ? subs.Select(s => new SubDetail { Subject = s.SubjectText, Queue = s.QueueText, Sid = s.SidText, Cid = connection.Id }).ToList()
                    : null,
            });
        }

        return accounts.Count == 0 ? null : accounts;
    }

    /// <summary>Every account of this server: each was switched to interest-only on the inbound connection when it registered (nats-server's insim).</summary>
    private static List<AccountGatewayz>? InboundAccounts(NatsServer server, Query query)
    {
        var accounts = server.Accounts.All
            .Select(a => a.Name)
            .Where(name => query.AccountName is null || query.AccountName == name)
            .Order(StringComparer.Ordinal)
            .Select(name => new AccountGatewayz { Name = name })
            .ToList();
        return accounts.Count == 0 ? null : accounts;
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
