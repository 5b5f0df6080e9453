using System.Net;
using System.Net.Sockets;

namespace Modular.Testing;

/// <summary>
/// A loopback TCP forwarder whose <see cref="ResetAll"/> aborts every connection it carries with a
/// TCP reset (SO_LINGER 0) on both sides: a route flap as a crashed middlebox or a NAT table flush
/// shows it. New connections are forwarded as before.
/// </summary>
public sealed class ResettingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = new();
    private readonly Task _loop;
    private int _connections;
    private int _resets;

    public ResettingProxy(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(128);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port to dial instead of the target.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections aborted by <see cref="ResetAll"/> so far.</summary>
    public int Resets => Volatile.Read(ref _resets);

    /// <summary>Aborts every connection now open with a reset on both sides; returns how many.</summary>
    public int ResetAll()
    {
        Socket[] open;
        lock (_sockets)
        {
            open = _sockets.ToArray();
            _sockets.Clear();
        }

        foreach (var socket in open)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            CloseQuietly(socket);
        }

        Interlocked.Add(ref _resets, open.Length / 2);
        return open.Length / 2;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(inbound));
        }
    }

    private async Task ServeAsync(Socket inbound)
    {
        var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        inbound.NoDelay = true;
        try
        {
            await outbound.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            CloseQuietly(inbound);
            CloseQuietly(outbound);
            return;
        }

        lock (_sockets)
        {
            _sockets.Add(inbound);
            _sockets.Add(outbound);
        }

        await Task.WhenAll(PumpAsync(inbound, outbound), PumpAsync(outbound, inbound)).ConfigureAwait(false);
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // A reset or the end of the other direction: abort this side too.
            CloseQuietly(to);
            CloseQuietly(from);
        }
    }

    private static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }

        ResetAll();
        _stop.Dispose();
    }
}
