using System.Net;

namespace Modular.Core.Clients;

/// <summary>A point-in-time copy of one client connection's state, for /connz and logs.</summary>
public sealed record ClientSnapshot(
    ulong Id,
    IPEndPoint? RemoteEndPoint,
    DateTime Start,
    DateTime LastActivity,
    DateTime? Stop,
    string? Reason,
    TimeSpan? Rtt,
    string? Name,
    string? Lang,
    string? Version,
    string Account,
    string? User,
    long PendingBytes,
    long InMsgs,
    long OutMsgs,
    long InBytes,
    long OutBytes,
    IReadOnlyList<SubscriptionSnapshot> Subscriptions)
{
    /// <summary>Times producers waited for this connection to drain (/connz <c>stalls</c>).</summary>
    public long Stalls { get; init; }
}

/// <summary>One subscription of a client, for /connz and /subsz details.</summary>
public sealed record SubscriptionSnapshot(string Account, string Subject, string? Queue, string Sid, long Delivered, long Max, ulong Cid);
