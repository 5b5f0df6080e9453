using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Modular.Core.Monitoring;

/// <summary>
/// A deliberately tiny HTTP/1.1 server for the monitoring endpoints, on a plain listening socket:
/// one request per connection (answers carry <c>Connection: close</c>), GET and HEAD only, a bounded
/// request head, read and write deadlines and a cap on concurrent connections. Whatever a peer
/// sends, the worst outcome is an error status and a closed connection for that peer; the accept
/// loop keeps running.
/// </summary>
internal sealed class HttpMonitorListener : IAsyncDisposable
{
    /// <summary>Largest request head (request line plus headers) accepted; more is answered with 431.</summary>
    public const int MaxRequestHeadBytes = 8 * 1024;

    /// <summary>Connections served at once; more are answered with 503 and closed.</summary>
    public const int MaxConcurrentConnections = 64;

    private const int MaxDrainBytes = 64 * 1024;

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    private readonly IPEndPoint _listen;
    private readonly Func<MonitorRequest, MonitorResponse> _dispatch;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentConnections, MaxConcurrentConnections);
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Socket? _socket;
    private Task? _acceptLoop;
    private int _disposed;

    public HttpMonitorListener(IPEndPoint listen, Func<MonitorRequest, MonitorResponse> dispatch, ILogger logger)
    {
        _listen = listen;
        _dispatch = dispatch;
        _logger = logger;
    }

    /// <summary>The bound address (the real port when asked for port 0), once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/> when the address cannot be bound.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_socket is not null)
        {
            throw new InvalidOperationException("The monitoring listener is already started.");
        }

        var socket = new Socket(_listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_listen.AddressFamily == AddressFamily.InterNetworkV6 && _listen.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(_listen);
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(socket, _stopping.Token));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (Socket connection in _connections.Keys)
        {
            connection.Dispose();
        }

        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Monitoring connections did not finish within 5s of shutdown");
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // A connection reset before accept completed, or the process is out of descriptors: keep going.
                _logger.LogDebug("Monitoring accept failed: {Error}", ex.SocketErrorCode);
                if (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    await DelayQuietly(TimeSpan.FromMilliseconds(100), stopping).ConfigureAwait(false);
                }

                continue;
            }

            connection.NoDelay = true;
            bool admitted = _slots.Wait(0);
            Task task = admitted
                ? Task.Run(() => ServeAsync(connection, stopping))
                : Task.Run(() => RejectBusyAsync(connection, stopping));
            _connections[connection] = task;
            _ = task.ContinueWith(
                (_, state) =>
                {
                    var (self, socket, releases) = ((HttpMonitorListener, Socket, bool))state!;
                    self._connections.TryRemove(socket, out Task? _);
                    if (releases)
                    {
                        self._slots.Release();
                    }
                },
                (this, connection, admitted),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken stopping)
    {
        using (connection)
        {
            try
            {
                await ServeOneAsync(connection, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The peer went away, was too slow, or we are shutting down.
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Monitoring connection failed");
            }
        }
    }

    private async Task ServeOneAsync(Socket connection, CancellationToken stopping)
    {
        byte[] buffer = new byte[MaxRequestHeadBytes];
        int filled = 0;
        int headEnd = -1;
        using (var readDeadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            readDeadline.CancelAfter(ReadTimeout);
            try
            {
                while (headEnd < 0)
                {
                    if (filled == buffer.Length)
                    {
                        await RespondAsync(connection, "GET", MonitorResponse.Text(431, "Request Header Fields Too Large\n"), true, stopping).ConfigureAwait(false);
                        return;
                    }

                    int read = await connection.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, readDeadline.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (filled > 0)
                        {
                            await RespondAsync(connection, "GET", MonitorResponse.BadRequest("incomplete request\n"), false, stopping).ConfigureAwait(false);
                        }

                        return;
                    }

                    // Only the new bytes (and the three before them) can complete the terminator.
                    int from = Math.Max(0, filled - 3);
                    int previous = filled;
                    filled += read;
                    int end = HttpRequestParser.FindHeadEnd(buffer.AsSpan(from, filled - from));
                    headEnd = end < 0 ? -1 : from + end;

                    // Bytes that can never appear in a request head end it at once, rather than
                    // holding a slot until the read deadline. (Bytes past the head are a body.)
                    int checkEnd = headEnd < 0 ? filled : headEnd;
                    if (checkEnd > previous && HttpRequestParser.ContainsInvalidHeadByte(buffer.AsSpan(previous, checkEnd - previous)))
                    {
                        await RespondAsync(connection, "GET", MonitorResponse.BadRequest("invalid character in request\n"), true, stopping).ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                await RespondAsync(connection, "GET", MonitorResponse.Text(408, "Request Timeout\n"), true, stopping).ConfigureAwait(false);
                return;
            }
        }

        if (!HttpRequestParser.TryParse(buffer.AsSpan(0, headEnd), out HttpRequestHead head, out int status, out string error))
        {
            await RespondAsync(connection, "GET", MonitorResponse.Text(status, error + "\n"), true, stopping).ConfigureAwait(false);
            return;
        }

        MonitorResponse response;
        try
        {
            response = _dispatch(new MonitorRequest(head.Method, head.Path, QueryString.Parse(head.Query), head.Host));
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Monitoring request {Path} failed", head.Path);
            response = MonitorResponse.Text(500, "Internal Server Error\n");
        }

        bool unreadInput = head.HasBody || filled > headEnd;
        await RespondAsync(connection, head.Method, response, unreadInput, stopping).ConfigureAwait(false);
    }

    private async Task RejectBusyAsync(Socket connection, CancellationToken stopping)
    {
        using (connection)
        {
            try
            {
                await RespondAsync(connection, "GET", MonitorResponse.Text(503, "Service Unavailable\n"), false, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>
    /// Writes the response and ends the connection. When the peer may still be sending (a body, a
    /// pipelined request, an oversized head), a bounded amount is read and dropped after our side is
    /// shut down, so the close does not turn into a reset that destroys the response in flight.
    /// </summary>
    private static async Task RespondAsync(Socket connection, string method, MonitorResponse response, bool drainInput, CancellationToken stopping)
    {
        byte[] bytes = Serialize(method, response);
        using (var writeDeadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            writeDeadline.CancelAfter(WriteTimeout);
            int sent = 0;
            while (sent < bytes.Length)
            {
                sent += await connection.SendAsync(bytes.AsMemory(sent), SocketFlags.None, writeDeadline.Token).ConfigureAwait(false);
            }
        }

        connection.Shutdown(SocketShutdown.Send);
        if (!drainInput)
        {
            return;
        }

        using var drainDeadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        drainDeadline.CancelAfter(DrainTimeout);
        byte[] sink = new byte[4096];
        int drained = 0;
        try
        {
            while (drained < MaxDrainBytes)
            {
                int read = await connection.ReceiveAsync(sink, SocketFlags.None, drainDeadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                drained += read;
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
        }
    }

    internal static byte[] Serialize(string method, MonitorResponse response)
    {
        var head = new StringBuilder(256);
        head.Append("HTTP/1.1 ").Append(response.StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(ReasonPhrase(response.StatusCode)).Append("\r\n");
        head.Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
        if (response.IsJson)
        {
            head.Append("Access-Control-Allow-Origin: *\r\n");
        }

        if (response.StatusCode == 405)
        {
            head.Append("Allow: GET, HEAD\r\n");
        }

        head.Append("X-Content-Type-Options: nosniff\r\n");
        head.Append("Cache-Control: no-store\r\n");
        head.Append("Date: ").Append(DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append("Content-Length: ").Append(response.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append("Connection: close\r\n\r\n");

        byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
        if (method == "HEAD" || response.Body.Length == 0)
        {
            return headBytes;
        }

        byte[] all = new byte[headBytes.Length + response.Body.Length];
        headBytes.CopyTo(all, 0);
        response.Body.CopyTo(all, headBytes.Length);
        return all;
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    };

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
