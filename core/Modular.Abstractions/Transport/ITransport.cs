using System.Net;

namespace Modular.Abstractions.Transport;

/// <summary>
/// The transport seam: binds listeners and dials peers, yielding connections as duplex pipes.
/// The built-in default is plain TCP on System.IO.Pipelines.
/// </summary>
public interface ITransport
{
    ValueTask<IConnectionListener> BindAsync(EndPoint endPoint, CancellationToken cancellationToken = default);

    ValueTask<ModularConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default);
}
