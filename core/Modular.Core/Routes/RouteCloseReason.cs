namespace Modular.Core.Routes;

/// <summary>Why a route connection ended.</summary>
public enum RouteCloseReason
{
    ClientClosed,
    ServerShutdown,
    ReadError,
    WriteError,
    ProtocolViolation,
    AuthenticationViolation,
    AuthenticationTimeout,
    ClusterNameConflict,
    DuplicateRoute,
    DuplicateServerName,
    RoutePoolFull,
    MissingAccount,
    RemoteError,
    StaleConnection,
    SlowConsumerPendingBytes,
    SlowConsumerWriteDeadline,

    /// <summary>The transport wrapper (TLS) failed its handshake.</summary>
    TlsHandshakeError,

    /// <summary>A config reload removed the route's URL or its pinned account: not redialed.</summary>
    RouteRemoved,
}

/// <summary>nats-server's wording for route close reasons.</summary>
public static class RouteCloseReasonText
{
    public static string Describe(this RouteCloseReason reason) => reason switch
    {
        RouteCloseReason.ClientClosed => "Client Closed",
        RouteCloseReason.ServerShutdown => "Server Shutdown",
        RouteCloseReason.ReadError => "Read Error",
        RouteCloseReason.WriteError => "Write Error",
        RouteCloseReason.ProtocolViolation => "Protocol Violation",
        RouteCloseReason.AuthenticationViolation => "Authentication Failure",
        RouteCloseReason.AuthenticationTimeout => "Authentication Timeout",
        RouteCloseReason.ClusterNameConflict => "Cluster Name Conflict",
        RouteCloseReason.DuplicateRoute => "Duplicate Route",
        RouteCloseReason.DuplicateServerName => "Duplicate Server Name",
        RouteCloseReason.RoutePoolFull => "Duplicate Route",
        RouteCloseReason.MissingAccount => "Missing Account",
        RouteCloseReason.RemoteError => "Route Error",
        RouteCloseReason.StaleConnection => "Stale Connection",
        RouteCloseReason.SlowConsumerPendingBytes => "Slow Consumer (Pending Bytes)",
        RouteCloseReason.SlowConsumerWriteDeadline => "Slow Consumer (Write Deadline)",
        RouteCloseReason.RouteRemoved => "Route Removed",
        RouteCloseReason.TlsHandshakeError => "TLS Handshake Error",
        _ => reason.ToString(),
    };

    /// <summary>Reasons after which the dialing side must not dial again.</summary>
    public static bool ForbidsRetry(this RouteCloseReason reason) =>
        reason is RouteCloseReason.DuplicateRoute or RouteCloseReason.RoutePoolFull or RouteCloseReason.DuplicateServerName or RouteCloseReason.RouteRemoved or RouteCloseReason.MissingAccount;
}
