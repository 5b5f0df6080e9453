using Microsoft.Extensions.Logging;
using Modular.Core.Protocol;

namespace Modular.Core.Routes;

// Closing, pings and RTT, the write deadline, slow consumers.
public sealed partial class RouteConnection
{
    private RouteCloseReason _closeReason = RouteCloseReason.ClientClosed;
    private long _lastActivityTicks;
    private long _nextPingTicks = long.MaxValue;
    private long _pingSentTimestamp; // Stopwatch ticks: loopback RTTs are well under a millisecond
    private int _pingsOut;
    private long _rttTicks = -1;

    public bool IsClosing => _output.IsClosing;

    public RouteCloseReason CloseReason => _closeReason;

    public DateTime LastActivity => DateTime.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastActivityTicks));

    /// <summary>The round trip of the last PING/PONG; null before the first.</summary>
    public TimeSpan? Rtt
    {
        get
        {
            var ticks = Volatile.Read(ref _rttTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

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
        Volatile.Write(ref _pingsOut, 0);
        var sent = Volatile.Read(ref _pingSentTimestamp);
        if (sent != 0)
        {
            var rtt = System.Diagnostics.Stopwatch.GetElapsedTime(sent);
            Volatile.Write(ref _rttTicks, rtt.Ticks);
            AdjustCompressionLevel(rtt);
        }
    }

    /// <summary>Periodic: auth timeout for an accepted route, PINGs and stale detection, the write deadline.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        if (IsClosing)
        {
            if (nowTicks - _output.ClosingSinceTicks > 2000)
            {
                _output.Abort();
            }

            return;
        }

        if (!IsRegistered && nowTicks - StartTicks > (long)_server.Options.Server.AuthTimeout.TotalMilliseconds + 1000)
        {
            if (_handshake.MustSeeConnectFirst)
            {
                CloseWithError(ErrorMessages.AuthenticationTimeout, RouteCloseReason.AuthenticationTimeout);
            }
            else if (nowTicks - StartTicks > 10_000)
            {
                // A peer that never finished the handshake.
                BeginClose(RouteCloseReason.StaleConnection, flushFirst: false);
            }

            return;
        }

        var flushStarted = _output.Buffer.FlushStartedTicks;
        if (flushStarted != 0 && nowTicks - flushStarted > (long)_server.Options.Server.WriteDeadline.TotalMilliseconds)
        {
            MarkSlowConsumer(RouteCloseReason.SlowConsumerWriteDeadline);
            return;
        }

        if (IsRegistered && nowTicks >= _nextPingTicks)
        {
            _nextPingTicks = nowTicks + (long)_manager.PingInterval.TotalMilliseconds;
            if (Volatile.Read(ref _pingsOut) + 1 > _server.Options.Server.PingMax)
            {
                _server.RouteStatistics.CountRouteStaleConnection();
                _logger.LogWarning("rid:{rid} - Stale route connection to {remote}, closing", Id, RemoteName);
                CloseWithError(ErrorMessages.StaleConnection, RouteCloseReason.StaleConnection);
                return;
            }

            Interlocked.Increment(ref _pingsOut);
            Volatile.Write(ref _pingSentTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
            _output.SendNow(ProtocolTokens.Ping);
        }
    }

    private long StartTicks { get; } = Environment.TickCount64;

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
