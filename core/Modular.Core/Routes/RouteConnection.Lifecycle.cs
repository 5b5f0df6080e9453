using Microsoft.Extensions.Logging;
using Modular.Core.Protocol;
using Modular.Core.Routes.Health;

namespace Modular.Core.Routes;

// Closing (RouteCloser), and applying what the keep-alive clock (RouteKeepAlive) decides.
public sealed partial class RouteConnection
{
    /// <summary>Ends a close begun with a flush that is taking too long (the peer stopped reading).</summary>
    internal void AbortClose() => Closer.Abort();

    protected override async Task OnClosedAsync()
    {
        RemoteInterest.RemoveAll();
        Output.Buffer.Release();
        await Connection.DisposeAsync().ConfigureAwait(false);
        _manager.OnRouteClosed(this);
        Closer.MarkClosed(RemoteInfo, RemoteEndPoint);
    }

    private void ProcessPong()
    {
        if (KeepAlive.OnPong() is { } rtt)
        {
            _compression.FollowRtt(rtt);
        }
    }

    /// <summary>Periodic: what the keep-alive clock decides (timeouts, PINGs, the write deadline), applied.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        var action = KeepAlive.Tick(nowTicks, IsClosing, Output.ClosingSinceTicks, IsRegistered, _handshake.MustSeeConnectFirst, Output.Buffer.FlushStartedTicks);
        if (action != KeepAliveAction.None)
        {
            Closer.Apply(action, RemoteName, () =>
            {
                Server.RouteStatistics.CountRouteStaleConnection();
                Logger.LogWarning("rid:{rid} - Stale route connection to {remote}, closing", Id, RemoteName);
            });
        }
    }
}
