namespace Modular.Monitoring;

/// <summary>The query of a /connz request, decoded and checked as nats-server does.</summary>
public sealed record ConnzOptions
{
    public const int DefaultLimit = 1024;

    public ConnzSort Sort { get; init; } = ConnzSort.Cid;

    /// <summary><c>auth</c>: include authorized_user and account.</summary>
    public bool Auth { get; init; }

    /// <summary><c>subs=1</c>: include subscriptions_list.</summary>
    public bool Subscriptions { get; init; }

    /// <summary><c>subs=detail</c>: include subscriptions_list_detail.</summary>
    public bool SubscriptionsDetail { get; init; }

    public int Offset { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    /// <summary>Only this connection id when non-zero.</summary>
    public ulong Cid { get; init; }

    public ConnState State { get; init; } = ConnState.Open;

    /// <summary>Only connections of this user when non-empty.</summary>
    public string User { get; init; } = "";

    /// <summary>Only connections of this account when non-empty.</summary>
    public string Account { get; init; } = "";

    /// <summary>Decodes the query; throws <see cref="MonitorBadRequestException"/> on a bad parameter.</summary>
    public static ConnzOptions Parse(QueryString query)
    {
        // Same order as nats-server, so the first bad parameter is the one reported.
        string sortText = query.Get("sort");
        bool auth = MonitorQuery.Bool(query, "auth");
        (bool subs, bool detail) = MonitorQuery.Subs(query);
        int offset = MonitorQuery.Int(query, "offset");
        int limit = MonitorQuery.Int(query, "limit");
        ulong cid = MonitorQuery.UInt64(query, "cid");
        ConnState state = ParseState(query.Get("state"));

        ConnzSort sort = ConnzSort.Cid;
        if (sortText.Length > 0 && !TryParseSort(sortText, out sort))
        {
            throw new MonitorBadRequestException($"invalid sorting option: {sortText}");
        }

        if (sort == ConnzSort.Stop && state != ConnState.Closed)
        {
            throw new MonitorBadRequestException("sort by stop only valid on closed connections");
        }

        if (sort == ConnzSort.Reason && state != ConnState.Closed)
        {
            throw new MonitorBadRequestException("sort by reason only valid on closed connections");
        }

        return new ConnzOptions
        {
            Sort = sort,
            Auth = auth,
            Subscriptions = subs,
            SubscriptionsDetail = detail,
            Offset = Math.Max(0, offset),
            Limit = limit <= 0 ? DefaultLimit : limit,
            Cid = cid,
            State = state,
            User = query.Get("user"),
            Account = query.Get("acc"),
        };
    }

    public static bool TryParseSort(string text, out ConnzSort sort)
    {
        sort = text switch
        {
            "cid" => ConnzSort.Cid,
            "start" => ConnzSort.Start,
            "subs" => ConnzSort.Subs,
            "pending" => ConnzSort.Pending,
            "msgs_to" => ConnzSort.MsgsTo,
            "msgs_from" => ConnzSort.MsgsFrom,
            "bytes_to" => ConnzSort.BytesTo,
            "bytes_from" => ConnzSort.BytesFrom,
            "last" => ConnzSort.Last,
            "idle" => ConnzSort.Idle,
            "uptime" => ConnzSort.Uptime,
            "stop" => ConnzSort.Stop,
            "reason" => ConnzSort.Reason,
            "rtt" => ConnzSort.Rtt,
            _ => (ConnzSort)(-1),
        };
        return sort >= 0;
    }

    private static ConnState ParseState(string text)
    {
        if (text.Length == 0)
        {
            return ConnState.Open;
        }

        return text.ToLowerInvariant() switch
        {
            "open" => ConnState.Open,
            "closed" => ConnState.Closed,
            "any" or "all" => ConnState.Any,
            _ => throw new MonitorBadRequestException($"Error decoding state for {text}"),
        };
    }
}
