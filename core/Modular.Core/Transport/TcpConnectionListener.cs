using System.Net;
using System.Net.Sockets;
using Modular.Abstractions.Transport;

namespace Modular.Core.Transport;

/// <summary>A listening TCP socket that yields <see cref="TcpConnection"/>s.</summary>
internal sealed class TcpConnectionListener : IConnectionListener
{
    private readonly Socket _socket;

    public TcpConnectionListener(Socket socket)
    {
        _socket = socket;
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ModularConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var accepted = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                return new TcpConnection(accepted);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
            {
                return null;
            }
            catch (SocketException)
            {
                // A connection reset before we accepted it: not the listener's problem, keep accepting.
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
