using Microsoft.Extensions.Logging;
using Modular.Core.Protocol;
using Modular.Core.Routes.Health;

namespace Modular.Core.Routes;

// Closing (RouteCloser), and applying what the keep-alive clock (RouteKeepAlive) decides.
public sealed partial class RouteConnection
{
    public bool IsClosing => _closer.IsClosing;

    public RouteCloseReason CloseReason => _closer.Reason;

    /// <summary>True once the connection is fully closed and out of the registry.</summary>
    public bool IsClosed => _closer.IsClosed;

    /// <summary>How often this connection was cut off as a slow consumer (0 or 1: it closes).</summary>
    public long SlowConsumerCount => _closer.SlowConsumerCount;

    public DateTime LastActivity => _keepAlive.LastActivity;

    /// <summary>The round trip of the last PING/PONG; null before the first.</summary>
    public TimeSpan? Rtt => _keepAlive.Rtt;

    public void BeginClose(RouteCloseReason reason, bool flushFirst) => _closer.Begin(reason, flushFirst);

    /// <summary>Ends a close begun with a flush that is taking too long (the peer stopped reading).</summary>
    internal void AbortClose() => _closer.Abort();

    private async Task FinishCloseAsync()
    {
        _remoteInterest.RemoveAll();
        _output.Buffer.Release();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _manager.OnRouteClosed(this);
        _closer.MarkClosed(RemoteInfo, RemoteEndPoint);
    }

    private void ProcessPong()
    {
        if (_keepAlive.OnPong() is { } rtt)
        {
            _compression.FollowRtt(rtt);
        }
    }

    /// <summary>Periodic: what the keep-alive clock decides (timeouts, PINGs, the write deadline), applied.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        var action = _keepAlive.Tick(nowTicks, IsClosing, _output.ClosingSinceTicks, IsRegistered, _handshake.MustSeeConnectFirst, _output.Buffer.FlushStartedTicks);
        if (action != KeepAliveAction.None)
        {
            _closer.Apply(action, RemoteName, () =>
            {
                _server.RouteStatistics.CountRouteStaleConnection();
                _logger.LogWarning("rid:{rid} - Stale route connection to {remote}, closing", Id, RemoteName);
            });
        }
    }
}
