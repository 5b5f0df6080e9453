using Microsoft.Extensions.Logging;
using Modular.Core.Delivery;
using Modular.Core.Protocol;

namespace Modular.Core.Routes.Closing;

/// <summary>
/// How one route connection ends: the first reason wins, an -ERR goes out before a close that
/// flushes, a slow consumer is counted and cut off, and the end is marked once the route is out
/// of the registry. Any thread may begin a close (the output serializes it); the read loop
/// records the reason it stopped for in <see cref="Reason"/>.
/// </summary>
internal sealed class RouteCloser(ConnectionOutput output, IClusterHost server, ILogger logger, ulong id)
{
    private int _closed;
    private long _slowConsumerCount;

    public RouteCloseReason Reason { get; set; } = RouteCloseReason.ClientClosed;

    public bool IsClosing => output.IsClosing;

    /// <summary>True once the connection is fully closed and out of the registry.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>How often this connection was cut off as a slow consumer (0 or 1: it closes).</summary>
    public long SlowConsumerCount => Interlocked.Read(ref _slowConsumerCount);

    /// <param name="lingerAfterFlush">After a flush, wait for the peer's end before closing (see <see cref="ConnectionOutput.TryBeginClose"/>).</param>
    public void Begin(RouteCloseReason reason, bool flushFirst, bool lingerAfterFlush = true)
    {
        if (!IsClosing)
        {
            Reason = reason;
        }

        output.TryBeginClose(flushFirst, lingerAfterFlush);
    }

    /// <summary>Sends -ERR (when there is a message), then closes once it is written.</summary>
    public void WithError(string? message, RouteCloseReason reason)
    {
        if (message is not null)
        {
            output.SendNow(System.Text.Encoding.UTF8.GetBytes($"-ERR '{message}'\r\n"));
        }

        Begin(reason, flushFirst: true);
    }

    /// <summary>
    /// The peer answered none of the last PINGs: -ERR 'Stale Connection' is handed to the kernel and
    /// the connection aborted at once, so the route leaves the registry within nats-server's bound. A
    /// flushed close would linger for the peer's FIN, which a peer behind a partition never sends.
    /// </summary>
    public void Stale()
    {
        output.SendNow(System.Text.Encoding.UTF8.GetBytes($"-ERR '{ErrorMessages.StaleConnection}'\r\n"));
        Begin(RouteCloseReason.StaleConnection, flushFirst: true, lingerAfterFlush: false);
    }

    /// <summary>The peer fell behind (pending bytes or the write deadline): counted, logged, cut off without a flush.</summary>
    public void SlowConsumer(RouteCloseReason reason, string? remoteName)
    {
        if (IsClosing)
        {
            return;
        }

        server.RouteStatistics.CountRouteSlowConsumer();
        Interlocked.Increment(ref _slowConsumerCount);
        logger.LogWarning("rid:{rid} - Slow Consumer Detected on route to {remote}: {reason}, pending {pending} bytes", id, remoteName, reason.Describe(), output.Buffer.PendingBytes);
        Begin(reason, flushFirst: false);
    }

    /// <summary>Once the read loop stopped: closes (unless a close began already) and lets the output finish, at most 5 s, then linger.</summary>
    public async Task DrainAsync()
    {
        Begin(Reason, flushFirst: false);
        try
        {
            await output.Finished.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await output.LingerAsync().ConfigureAwait(false);
    }

    /// <summary>Ends a close begun with a flush that is taking too long (the peer stopped reading).</summary>
    public void Abort()
    {
        if (IsClosing)
        {
            output.Abort();
        }
    }

    /// <summary>The read loop ended with <paramref name="e"/>: an I/O end is an ordinary read error, anything else is logged as unexpected.</summary>
    public void OnReadLoopFailed(Exception e, string kind)
    {
        if (e is not (IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or System.Net.Sockets.SocketException))
        {
            logger.LogError(e, "id:{id} - unexpected error in {kind} read loop", id, kind);
        }

        Reason = IsClosing ? Reason : RouteCloseReason.ReadError;
    }

    /// <summary>The parser refused what the peer sent: nats-server's -ERR where it has one, then a flushing close.</summary>
    public void OnParseError(ProtocolError error, string kind)
    {
        logger.LogWarning("id:{id} - {kind} protocol error: {error}", id, kind, error);
        var reply = error switch
        {
            ProtocolError.MaxControlLineExceeded => ErrorMessages.MaxControlLineExceeded,
            ProtocolError.UnknownOperation => ErrorMessages.UnknownProtocolOperation,
            _ => null,
        };
        WithError(reply, RouteCloseReason.ProtocolViolation);
    }

    /// <summary>
    /// Applies what the keep-alive clock decided (see <see cref="Health.RouteKeepAlive"/>):
    /// timeouts and deadlines close, a PING goes out. <paramref name="onStale"/> runs before a
    /// stale connection is cut (the owner counts and logs it).
    /// </summary>
    public void Apply(Health.KeepAliveAction action, string? remoteName, Action onStale)
    {
        switch (action)
        {
            case Health.KeepAliveAction.AbortClose:
                output.Abort();
                break;
            case Health.KeepAliveAction.AuthenticationTimeout:
                WithError(ErrorMessages.AuthenticationTimeout, RouteCloseReason.AuthenticationTimeout);
                break;
            case Health.KeepAliveAction.HandshakeStalled:
                Begin(RouteCloseReason.StaleConnection, flushFirst: false);
                break;
            case Health.KeepAliveAction.WriteDeadlineExceeded:
                SlowConsumer(RouteCloseReason.SlowConsumerWriteDeadline, remoteName);
                break;
            case Health.KeepAliveAction.Stale:
                onStale();
                Stale();
                break;
            case Health.KeepAliveAction.Ping:
                output.SendNow(ProtocolTokens.Ping);
                break;
        }
    }

    /// <summary>The route is out of the registry: it is closed now, and says so.</summary>
    /// <param name="remoteInfo">The peer's INFO, null when the route closed before the handshake got that far.</param>
    public void MarkClosed(RouteInfo? remoteInfo, System.Net.IPEndPoint? remoteEndPoint)
    {
        Volatile.Write(ref _closed, 1);
        if (remoteInfo is not null)
        {
            logger.LogInformation("rid:{rid} - Route connection to {remoteName} closed: {reason}", id, remoteInfo.ServerName, Reason.Describe());
        }
        else
        {
            logger.LogDebug("rid:{rid} - route connection at {remote} closed before registering: {reason}", id, remoteEndPoint, Reason.Describe());
        }
    }
}
