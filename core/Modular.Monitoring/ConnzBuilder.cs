using System.Net;
using Modular.Core.Accounts;
using Modular.Core.Clients;
using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>Builds <c>/connz</c>: client connections, filtered, sorted and paged as nats-server does.</summary>
public static class ConnzBuilder
{
    public static MonitorResponse Handle(IMonitoredServer server, MonitorRequest request) =>
        MonitorResponse.Json(Build(server, ConnzOptions.Parse(request.Query), DateTime.UtcNow));

    public static Connz Build(IMonitoredServer server, ConnzOptions options, DateTime now)
    {
        int limit = options.Cid > 0 ? 1 : options.Limit;
        var connz = new Connz
        {
            ServerId = server.ServerId,
            Now = now,
            Offset = options.Offset,
            Limit = limit,
        };

        if (options.Account.Length > 0 && !server.GetAccounts().Any(a => a.Name == options.Account))
        {
            return connz;
        }

        IEnumerable<ClientSnapshot> open = options.State is ConnState.Open or ConnState.Any
            ? server.GetClients()
            : Array.Empty<ClientSnapshot>();
        IEnumerable<ClientSnapshot> closed = options.State is ConnState.Closed or ConnState.Any
            ? server.GetClosedClients()
            : Array.Empty<ClientSnapshot>();
        if (options.Account.Length > 0)
        {
            open = open.Where(c => c.Account == options.Account);
            closed = closed.Where(c => c.Account == options.Account);
        }

        List<ClientSnapshot> openList = open.ToList();
        List<ClientSnapshot> closedList = closed.ToList();

        // The total counts the connections in the selected state and account; the user and cid
        // filters narrow the page but not the total, as in nats-server.
        connz.Total = openList.Count + closedList.Count;

        List<ClientSnapshot> selected;
        if (options.Cid > 0)
        {
            ClientSnapshot? hit = openList.FirstOrDefault(c => c.Id == options.Cid)
                ?? closedList.FirstOrDefault(c => c.Id == options.Cid);
            selected = hit is null ? new List<ClientSnapshot>() : new List<ClientSnapshot> { hit };
        }
        else
        {
            selected = openList.Concat(closedList).ToList();
        }

        if (options.User.Length > 0)
        {
            selected = selected.Where(c => c.User == options.User).ToList();
        }

        List<ConnInfo> infos = Sort(selected.Select(c => ToConnInfo(c, options, now)), options.Sort, now);
        int start = Math.Min(options.Offset, infos.Count);
        int count = Math.Min(limit, infos.Count - start);
        connz.Connections = infos.GetRange(start, count);
        connz.NumConnections = connz.Connections.Count;
        return connz;
    }

    public static ConnInfo ToConnInfo(ClientSnapshot client, ConnzOptions options, DateTime now)
    {
        // A closed connection is described as it was when it closed.
        DateTime reference = client.Stop ?? now;
        TimeSpan rtt = ReportedRtt(client.Rtt);
        var info = new ConnInfo
        {
            Cid = client.Id,
            Kind = "Client",
            Type = "nats",
            Ip = FormatAddress(client.RemoteEndPoint),
            Port = client.RemoteEndPoint?.Port ?? 0,
            Start = client.Start,
            LastActivity = client.LastActivity,
            Stop = client.Stop,
            Reason = client.Stop is null ? null : EmptyToNull(client.Reason),
            Rtt = GoFormat.Duration(rtt),
            RttNanoseconds = GoFormat.Nanoseconds(rtt),
            Uptime = GoFormat.Uptime(reference - client.Start),
            Idle = GoFormat.Uptime(reference - client.LastActivity),
            PendingBytes = client.PendingBytes,
            InMsgs = client.InMsgs,
            OutMsgs = client.OutMsgs,
            InBytes = client.InBytes,
            OutBytes = client.OutBytes,
            Stalls = client.Stalls,
            Subscriptions = client.Subscriptions.Count,
            Name = EmptyToNull(client.Name),
            Lang = EmptyToNull(client.Lang),
            Version = EmptyToNull(client.Version),
        };

        if (client.Subscriptions.Count > 0)
        {
            if (options.SubscriptionsDetail)
            {
                info.SubscriptionsListDetail = client.Subscriptions.Select(ToSubDetail).ToList();
            }
            else if (options.Subscriptions)
            {
                info.SubscriptionsList = client.Subscriptions.Select(s => s.Subject).ToList();
            }
        }

        if (options.Auth)
        {
            info.AuthorizedUser = EmptyToNull(client.User);
            info.Account = client.Account.Length == 0 || client.Account == Account.GlobalName ? null : client.Account;
        }

        return info;
    }

    public static SubDetail ToSubDetail(SubscriptionSnapshot sub) => new()
    {
        Account = EmptyToNull(sub.Account),
        Subject = sub.Subject,
        Queue = EmptyToNull(sub.Queue),
        Sid = sub.Sid,
        Msgs = sub.Delivered,
        Max = sub.Max,
        Cid = sub.Cid,
    };

    /// <summary>The peer address as Go prints it: IPv4-mapped IPv6 addresses in dotted form.</summary>
    public static string FormatAddress(IPEndPoint? endPoint)
    {
        if (endPoint is null)
        {
            return "";
        }

        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return address.ToString();
    }

    /// <summary>RTTs between 1µs and 1ms are truncated to whole microseconds, as nats-server reports them.</summary>
    private static TimeSpan ReportedRtt(TimeSpan? rtt)
    {
        TimeSpan value = rtt ?? TimeSpan.Zero;
        if (value > TimeSpan.FromMicroseconds(1) && value < TimeSpan.FromMilliseconds(1))
        {
            value = TimeSpan.FromTicks(value.Ticks - (value.Ticks % TimeSpan.TicksPerMicrosecond));
        }

        return value < TimeSpan.Zero ? TimeSpan.Zero : value;
    }

    private static List<ConnInfo> Sort(IEnumerable<ConnInfo> infos, ConnzSort sort, DateTime now)
    {
        // Stable sorts with the cid as tie-breaker, so equal keys keep a predictable order.
        IOrderedEnumerable<ConnInfo> ordered = sort switch
        {
            ConnzSort.Subs => infos.OrderByDescending(c => c.Subscriptions),
            ConnzSort.Pending => infos.OrderByDescending(c => c.PendingBytes),
            ConnzSort.MsgsTo => infos.OrderByDescending(c => c.OutMsgs),
            ConnzSort.MsgsFrom => infos.OrderByDescending(c => c.InMsgs),
            ConnzSort.BytesTo => infos.OrderByDescending(c => c.OutBytes),
            ConnzSort.BytesFrom => infos.OrderByDescending(c => c.InBytes),
            ConnzSort.Last => infos.OrderByDescending(c => c.LastActivity),
            ConnzSort.Idle => infos.OrderByDescending(c => now - c.LastActivity),
            ConnzSort.Uptime => infos.OrderBy(c => (c.Stop ?? now) - c.Start),
            ConnzSort.Stop => infos.OrderByDescending(c => c.Stop ?? DateTime.MinValue),
            ConnzSort.Reason => infos.OrderBy(c => c.Reason ?? "", StringComparer.Ordinal),
            ConnzSort.Rtt => infos.OrderByDescending(c => c.RttNanoseconds),
            _ => infos.OrderBy(c => c.Cid),
        };
        return ordered.ThenBy(c => c.Cid).ToList();
    }

    private static string? EmptyToNull(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
