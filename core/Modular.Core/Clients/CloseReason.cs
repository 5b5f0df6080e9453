namespace Modular.Core.Clients;

/// <summary>Why a client connection ended; the text is nats-server's, shown in /connz?state=closed.</summary>
public enum CloseReason
{
    ClientClosed,
    ServerShutdown,
    AuthenticationTimeout,
    AuthenticationViolation,
    MaxPayloadExceeded,
    MaxControlLineExceeded,
    ProtocolViolation,
    ParseError,
    SlowConsumerPendingBytes,
    SlowConsumerWriteDeadline,
    StaleConnection,
    MaxConnectionsExceeded,
    WriteError,
    ReadError,
}

/// <summary>nats-server's wording of each <see cref="CloseReason"/>.</summary>
public static class CloseReasonText
{
    public static string Describe(this CloseReason reason) => reason switch
    {
        CloseReason.ClientClosed => "Client Closed",
        CloseReason.ServerShutdown => "Server Shutdown",
        CloseReason.AuthenticationTimeout => "Authentication Timeout",
        CloseReason.AuthenticationViolation => "Authentication Failure",
        CloseReason.MaxPayloadExceeded => "Maximum Payload Exceeded",
        CloseReason.MaxControlLineExceeded => "Maximum Control Line Exceeded",
        CloseReason.ProtocolViolation => "Protocol Violation",
        CloseReason.ParseError => "Parse Error",
        CloseReason.SlowConsumerPendingBytes => "Slow Consumer (Pending Bytes)",
        CloseReason.SlowConsumerWriteDeadline => "Slow Consumer (Write Deadline)",
        CloseReason.StaleConnection => "Stale Connection",
        CloseReason.MaxConnectionsExceeded => "Maximum Connections Exceeded",
        CloseReason.WriteError => "Write Error",
        CloseReason.ReadError => "Read Error",
        _ => reason.ToString(),
    };
}
