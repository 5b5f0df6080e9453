using Microsoft.Extensions.Logging;
using Modular.Core.Protocol;
using Modular.Core.Routes.Health;

namespace Modular.Core.Routes;

// Closing, slow consumers, and applying what the keep-alive clock (RouteKeepAlive) decides.
public sealed partial class RouteConnection
{
    private RouteCloseReason _closeReason = RouteCloseReason.ClientClosed;
    private long _lastActivityTicks;

    public bool IsClosing => _output.IsClosing;

    public RouteCloseReason CloseReason => _closeReason;

    public DateTime LastActivity => DateTime.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastActivityTicks));

    /// <summary>The round trip of the last PING/PONG; null before the first.</summary>
    public TimeSpan? Rtt => _keepAlive.Rtt;

    public void BeginClose(RouteCloseReason reason, bool flushFirst)
    {
        if (!IsClosing)
        {
            _closeReason = reason;
        }

        _output.TryBeginClose(flushFirst);
    }

    private int _closed;

    /// <summary>True once the connection is fully closed and out of the registry.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Ends a close begun with a flush that is taking too long (the peer stopped reading).</summary>
    internal void AbortClose()
    {
        if (IsClosing)
        {
            _output.Abort();
        }
    }

    private async Task FinishCloseAsync()
    {
        _remoteInterest.RemoveAll();
        _output.Buffer.Release();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _manager.OnRouteClosed(this);
        Volatile.Write(ref _closed, 1);
        if (RemoteInfo is not null)
        {
            _logger.LogInformation("rid:{rid} - Route connection to {remoteName} closed: {reason}", Id, RemoteInfo.ServerName, _closeReason.Describe());
        }
        else
        {
            _logger.LogDebug("rid:{rid} - route connection at {remote} closed before registering: {reason}", Id, RemoteEndPoint, _closeReason.Describe());
        }
    }

    private void ProcessPong()
    {
        if (_keepAlive.OnPong() is { } rtt)
        {
            AdjustCompressionLevel(rtt);
        }
    }

    /// <summary>Periodic: what the keep-alive clock decides (timeouts, PINGs, the write deadline), applied.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        switch (_keepAlive.Tick(nowTicks, IsClosing, _output.ClosingSinceTicks, IsRegistered, _handshake.MustSeeConnectFirst, _output.Buffer.FlushStartedTicks))
        {
            case KeepAliveAction.AbortClose:
                _output.Abort();
                break;
            case KeepAliveAction.AuthenticationTimeout:
                CloseWithError(ErrorMessages.AuthenticationTimeout, RouteCloseReason.AuthenticationTimeout);
                break;
            case KeepAliveAction.HandshakeStalled:
                BeginClose(RouteCloseReason.StaleConnection, flushFirst: false);
                break;
            case KeepAliveAction.WriteDeadlineExceeded:
                MarkSlowConsumer(RouteCloseReason.SlowConsumerWriteDeadline);
                break;
            case KeepAliveAction.Stale:
                _server.RouteStatistics.CountRouteStaleConnection();
                _logger.LogWarning("rid:{rid} - Stale route connection to {remote}, closing", Id, RemoteName);
                CloseWithError(ErrorMessages.StaleConnection, RouteCloseReason.StaleConnection);
                break;
            case KeepAliveAction.Ping:
                _output.SendNow(ProtocolTokens.Ping);
                break;
        }
    }

    private void MarkSlowConsumer(RouteCloseReason reason)
    {
        if (IsClosing)
        {
            return;
        }

        _server.RouteStatistics.CountRouteSlowConsumer();
        Interlocked.Increment(ref _slowConsumerCount);
        _logger.LogWarning("rid:{rid} - Slow Consumer Detected on route to {remote}: {reason}, pending {pending} bytes", Id, RemoteName, reason.Describe(), _output.Buffer.PendingBytes);
        BeginClose(reason, flushFirst: false);
    }

    private long _slowConsumerCount;

    /// <summary>How often this connection was cut off as a slow consumer (0 or 1: it closes).</summary>
    public long SlowConsumerCount => Interlocked.Read(ref _slowConsumerCount);

    /// <summary>Publishes the batch's inbound counters to the server totals.</summary>
    private void PublishBatchStatistics()
    {
        if (_batchInMsgs != 0)
        {
            _server.RouteStatistics.AddInbound(_batchInMsgs, _batchInBytes);
            _batchInMsgs = _batchInBytes = 0;
        }
    }

    /// <summary>Queues a block of protocol lines (an interest dump) in one write.</summary>
    internal void SendRaw(byte[] bytes) => _output.SendNow(bytes);
}
