using System.IO.Pipelines;
using System.Net;

namespace Modular.Abstractions.Transport;

/// <summary>
/// One byte-stream connection, client or route, seen as a duplex pipe. Wrappers (TLS, compression)
/// replace <see cref="Transport"/> and publish what they did in <see cref="Features"/>; the protocol
/// session only ever reads and writes <see cref="Transport"/>, so it never changes for them.
/// </summary>
public abstract class ModularConnection : IAsyncDisposable
{
    /// <summary>The pipe the protocol reads from and writes to. Settable so a wrapper can replace it.</summary>
    public abstract IDuplexPipe Transport { get; set; }

    public abstract EndPoint? RemoteEndPoint { get; }

    public abstract EndPoint? LocalEndPoint { get; }

    /// <summary>Optional capabilities added by wrappers, keyed by type (for example a TLS handshake feature).</summary>
    public ConnectionFeatures Features { get; } = new();

    /// <summary>Closes the underlying connection at once; pending reads and writes end.</summary>
    public abstract void Abort();

    /// <summary>
    /// Half-closes: ends what this side sends (TCP sends FIN after the bytes already written) and
    /// keeps the receive side open, so the peer gets everything before it sees the end. False when
    /// the transport cannot (the default); the caller then aborts.
    /// </summary>
    public virtual bool TryShutdownSend() => false;

    public abstract ValueTask DisposeAsync();
}
