namespace Modular.Monitoring;

/// <summary>The <c>sort</c> options of /connz. Only cid and start sort ascending; uptime and reason ascend too, as in nats-server; the rest descend.</summary>
public enum ConnzSort
{
    /// <summary>"cid" (the default).</summary>
    Cid,

    /// <summary>"start": the same order as cid.</summary>
    Start,

    /// <summary>"subs": most subscriptions first.</summary>
    Subs,

    /// <summary>"pending": most pending bytes first.</summary>
    Pending,

    /// <summary>"msgs_to": most messages sent to the client first.</summary>
    MsgsTo,

    /// <summary>"msgs_from": most messages received from the client first.</summary>
    MsgsFrom,

    /// <summary>"bytes_to".</summary>
    BytesTo,

    /// <summary>"bytes_from".</summary>
    BytesFrom,

    /// <summary>"last": most recent activity first.</summary>
    Last,

    /// <summary>"idle": longest idle first.</summary>
    Idle,

    /// <summary>"uptime": shortest uptime first.</summary>
    Uptime,

    /// <summary>"stop": closed connections only, most recently stopped first.</summary>
    Stop,

    /// <summary>"reason": closed connections only, by reason text.</summary>
    Reason,

    /// <summary>"rtt": largest round-trip time first.</summary>
    Rtt,
}
