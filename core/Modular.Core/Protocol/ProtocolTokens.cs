namespace Modular.Core.Protocol;

/// <summary>Protocol keywords and fixed replies as UTF-8 literals, so nothing builds strings on the hot path.</summary>
public static class ProtocolTokens
{
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static ReadOnlySpan<byte> Ping => "PING\r\n"u8;

    public static ReadOnlySpan<byte> Pong => "PONG\r\n"u8;

    public static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;

    public static ReadOnlySpan<byte> MsgPrefix => "MSG "u8;

    public static ReadOnlySpan<byte> HMsgPrefix => "HMSG "u8;

    public static ReadOnlySpan<byte> InfoPrefix => "INFO "u8;

    /// <summary>The status line of a no-responders reply; a header block follows with Nats-Subject.</summary>
    public static ReadOnlySpan<byte> NoRespondersStatus => "NATS/1.0 503\r\n"u8;

    public static ReadOnlySpan<byte> NatsSubjectHeader => "Nats-Subject: "u8;
}
