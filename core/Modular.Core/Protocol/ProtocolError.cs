namespace Modular.Core.Protocol;

/// <summary>Why a parse failed, which decides what the server answers (nats-server's behaviour).</summary>
public enum ProtocolError
{
    None,

    /// <summary>Unknown verb, or bytes after a payload other than CRLF: <c>-ERR 'Unknown Protocol Operation'</c>, close.</summary>
    UnknownOperation,

    /// <summary>The argument part of a control line is longer than max_control_line: <c>-ERR 'maximum control line exceeded'</c>, close.</summary>
    MaxControlLineExceeded,

    /// <summary>A publish larger than max_payload: <c>-ERR 'Maximum Payload Violation'</c>, close.</summary>
    MaxPayloadExceeded,

    /// <summary>Wrong argument count, a bad number, header size above total: close without -ERR.</summary>
    BadArguments,
}
