namespace Modular.Monitoring;

/// <summary>The query of a /subsz request.</summary>
public sealed record SubszOptions
{
    public const int DefaultLimit = 1024;

    /// <summary><c>subs</c>: include subscriptions_list.</summary>
    public bool Subscriptions { get; init; }

    public int Offset { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    /// <summary><c>acc</c>: only this account when non-empty.</summary>
    public string Account { get; init; } = "";

    /// <summary><c>test</c>: only subscriptions a message on this literal subject would reach.</summary>
    public string Test { get; init; } = "";

    /// <summary>Decodes the query; throws <see cref="MonitorBadRequestException"/> on a bad parameter.</summary>
    public static SubszOptions Parse(QueryString query)
    {
        bool subs = MonitorQuery.Bool(query, "subs");
        int offset = MonitorQuery.Int(query, "offset");
        int limit = MonitorQuery.Int(query, "limit");
        string test = query.Get("test");
        if (test.Length > 0 && !MonitorSubjects.IsValidLiteral(test))
        {
            throw new MonitorBadRequestException($"invalid test subject, must be valid publish subject: {test}");
        }

        return new SubszOptions
        {
            Subscriptions = subs,
            Offset = Math.Max(0, offset),
            Limit = limit <= 0 ? DefaultLimit : limit,
            Account = query.Get("acc"),
            Test = test,
        };
    }
}
