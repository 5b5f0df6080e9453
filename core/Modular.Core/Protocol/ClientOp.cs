namespace Modular.Core.Protocol;

/// <summary>The operations a client may send.</summary>
public enum ClientOp
{
    None,
    Connect,
    Info,
    Pub,
    HPub,
    Sub,
    Unsub,
    Ping,
    Pong,
}
