using Modular.Abstractions.Auth;

namespace Modular.Core.Routes.Handshake;

public enum HandshakeResult
{
    /// <summary>Nothing to do: read on.</summary>
    Continue,

    /// <summary>The CONNECT's authentication runs elsewhere: read nothing more until <see cref="HandshakeOutcome.PendingAuth"/> completes.</summary>
    AwaitAuthentication,

    /// <summary>The peer's first INFO is acceptable: negotiate compression, then register with <see cref="HandshakeOutcome.Info"/>.</summary>
    Accepted,

    /// <summary>An INFO after the first: <see cref="HandshakeOutcome.Update"/> says what it means.</summary>
    Update,

    /// <summary>Close (after -ERR <see cref="HandshakeOutcome.Error"/> when there is one).</summary>
    Refused,
}

/// <summary>What an INFO after the first one means (protocol.md §3.3, §3.7, §9).</summary>
public enum InfoUpdate
{
    None,

    /// <summary>The peer moves an account to a dedicated route (route_account and route_acc_add_reqid).</summary>
    PinRequest,

    /// <summary>The peer confirms our pinning request (route_acc_add_reqid without route_account).</summary>
    PinConfirmation,

    /// <summary>The INFO is about another server (gossip).</summary>
    Gossip,

    /// <summary>The peer entered lame duck mode.</summary>
    LameDuck,

    /// <summary>
    /// The INFO names another cluster's gateway (<c>gateway</c> with gateway_cmd 1): a server of
    /// this cluster connected to it and tells the others, who dial it too (nats-server floods it over routes).
    /// </summary>
    Gateway,
}

/// <summary>What the handshake decided about one protocol line; the connection applies it.</summary>
public readonly record struct HandshakeOutcome(
    HandshakeResult Result,
    RouteCloseReason Reason = RouteCloseReason.ClientClosed,
    string? Error = null,
    bool Flush = false,
    RouteInfo? Info = null,
    InfoUpdate Update = InfoUpdate.None,
    Task<AuthDecision>? PendingAuth = null)
{
    public static readonly HandshakeOutcome Continue = new(HandshakeResult.Continue);

    public static HandshakeOutcome Refuse(RouteCloseReason reason, string? error = null, bool flush = false) =>
        new(HandshakeResult.Refused, reason, error, Flush: error is not null || flush);
}
