using System.Net;
using System.Net.Sockets;

namespace Modular.Testing;

/// <summary>A loopback listener a node is configured to route to; each accepted socket becomes a route-peer <see cref="RawConnection"/>.</summary>
public sealed class RawRouteListener : IDisposable
{
    private readonly TcpListener _listener;

    public RawRouteListener()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public async Task<RawConnection> AcceptAsync(string serverId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var tcp = await _listener.AcceptTcpClientAsync(deadline.Token).ConfigureAwait(false);
            return RawConnection.AcceptedRoute(tcp, serverId);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the node did not dial the fake route listener on port {Port} within {timeout.TotalSeconds:0.#}s");
        }
    }

    public void Dispose() => _listener.Stop();
}
