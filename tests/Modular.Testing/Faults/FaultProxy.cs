using System.Net;
using System.Net.Sockets;

namespace Modular.Testing;

/// <summary>
/// A loopback TCP proxy that forwards every connection to the target port (and passes a close on)
/// until a test makes the network fail, the two ways networks fail:
/// <list type="bullet">
/// <item><see cref="Blackhole"/>, as a partition looks from both ends: every socket stays open,
/// every byte both ways is dropped, no close is passed on, and new connections are held without
/// dialing the target. Only PING/PONG timers can tell. <see cref="Heal"/> ends it.</item>
/// <item><see cref="ResetAll"/>, as a crashed middlebox or a NAT table flush: every connection it
/// carries is aborted with a TCP reset (SO_LINGER 0) on both sides; new ones are forwarded as before.</item>
/// </list>
/// Never switched, it is a plain forwarder that counts connections: a stand-in for an advertised
/// address (NAT, load balancer), so a test sees who dialed it rather than the listen address.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = new();
    private readonly Task _loop;
    private int _connections;
    private int _resets;
    private volatile bool _blackholed;

    public FaultProxy(int targetPort)
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

    public bool IsBlackholed => _blackholed;

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

    /// <summary>From now on nothing gets through, in either direction, and nothing is closed.</summary>
    public void Blackhole() => _blackholed = true;

    /// <summary>
    /// Ends the partition: every connection of before (black-holed, so dead to both ends) is closed,
    /// and new connections are forwarded again. Old connections are not resumed: a partition that
    /// lasted longer than the ping bound has already made both ends give them up.
    /// </summary>
    public void Heal()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                CloseQuietly(socket);
            }

            _sockets.Clear();
            _blackholed = false;
        }
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
            Keep(inbound);
            _ = Task.Run(() => ServeAsync(inbound));
        }
    }

    private void Keep(Socket socket)
    {
        lock (_sockets)
        {
            _sockets.Add(socket);
        }
    }

    private async Task ServeAsync(Socket inbound)
    {
        if (_blackholed)
        {
            await PumpAsync(inbound, null).ConfigureAwait(false);
            return;
        }

        var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        inbound.NoDelay = true;
        Keep(outbound);
        try
        {
            await outbound.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            CloseQuietly(inbound);
            return;
        }

        await Task.WhenAll(PumpAsync(inbound, outbound), PumpAsync(outbound, inbound)).ConfigureAwait(false);
    }

    /// <summary>Reads <paramref name="from"/> until it ends: forwarded to <paramref name="to"/>, or dropped once black-holed.</summary>
    private async Task PumpAsync(Socket from, Socket? to)
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

                if (!_blackholed && to is not null)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        // A partition passes no close on: the other end finds out by its own timers.
        if (!_blackholed && to is not null)
        {
            try
            {
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
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

        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                CloseQuietly(socket);
            }

            _sockets.Clear();
        }

        _stop.Dispose();
    }
}
