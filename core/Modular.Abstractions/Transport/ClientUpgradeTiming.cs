namespace Modular.Abstractions.Transport;

/// <summary>When a wrapper upgrades an accepted client connection, relative to the server's first INFO.</summary>
public enum ClientUpgradeTiming
{
    /// <summary>INFO goes out in plaintext, then the wrapper runs (nats-server's TLS order).</summary>
    AfterInfo,

    /// <summary>The wrapper runs first and INFO goes out through it (a TLS handshake before any protocol byte).</summary>
    BeforeInfo,
}
