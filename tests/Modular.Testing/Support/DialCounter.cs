using System.Net;
using System.Net.Sockets;

namespace Modular.Testing;

/// <summary>
/// Listens on a port a dead server used and counts the connections dialed to it, closing each at
/// once: how a test sees whether the cluster keeps redialing a server that is gone.
/// </summary>
public sealed class DialCounter : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<DateTime> _accepted = new();

    private DialCounter(TcpListener listener)
    {
        _listener = listener;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Binds 127.0.0.1:<paramref name="port"/>, retrying while the dead process's socket lingers.</summary>
    public static async Task<DialCounter> StartAsync(int port, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Start(128);
                return new DialCounter(listener);
            }
            catch (SocketException) when (clock.Elapsed < timeout)
            {
                listener.Stop();
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Times (UTC) of every accepted connection so far.</summary>
    public IReadOnlyList<DateTime> Accepted
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.ToArray();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                lock (_accepted)
                {
                    _accepted.Add(DateTime.UtcNow);
                }

                socket.LingerState = new LingerOption(true, 0); // RST: the dialer sees a dead peer at once
                socket.Close();
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
            }
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
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }
}
