namespace Modular.Testing;

/// <summary>How a <see cref="Node"/> runs its server.</summary>
public enum NodeBackend
{
    /// <summary>
    /// An embedded <c>NatsServer</c> in the test process, plugins composed as the host composes them:
    /// the fast default for anything that only talks to the server over its sockets.
    /// </summary>
    InProcess,

    /// <summary>
    /// The real <c>modular</c> host (or a nats-server peer) as a process: for signals, the CLI,
    /// reload by SIGHUP, lame duck mode, restarts, the host's log format and interop.
    /// </summary>
    Process,
}
