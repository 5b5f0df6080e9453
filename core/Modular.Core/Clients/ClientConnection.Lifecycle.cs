using Microsoft.Extensions.Logging;
using Modular.Core.Protocol;

namespace Modular.Core.Clients;

// Closing, timers (auth timeout, pings, write deadline) and snapshots.
public sealed partial class ClientConnection
{
    private static readonly byte[] StaleConnectionError = System.Text.Encoding.ASCII.GetBytes($"-ERR '{ErrorMessages.StaleConnection}'\r\n");

    private CloseReason _closeReason = CloseReason.ClientClosed;
    private long _lastActivityTicks;
    private long _nextPingTicks;
    private int _pingsOut;
    private DateTime? _stop;

    public bool IsClosing => _output.IsClosing;

    public DateTime LastActivity => DateTime.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastActivityTicks));

    /// <summary>
    /// Starts closing once; later calls do nothing. With <paramref name="flushFirst"/> what is
    /// queued (an -ERR) is sent before the socket closes; without it the socket closes now.
    /// </summary>
    public void BeginClose(CloseReason reason, bool flushFirst) => BeginClose(reason, flushFirst, lingerAfterFlush: true);

    private void BeginClose(CloseReason reason, bool flushFirst, bool lingerAfterFlush)
    {
        if (!IsClosing)
        {
            _closeReason = reason;
        }

        _output.TryBeginClose(flushFirst, lingerAfterFlush);
    }

    /// <summary>Ends a close begun with a flush that is taking too long (the client stopped reading).</summary>
    internal void AbortClose()
    {
        if (IsClosing)
        {
            _output.Abort();
        }
    }

    private async Task FinishCloseAsync()
    {
        _stop = DateTime.UtcNow;

        // Taken before the subscriptions go: /connz?state=closed&subs=1 lists what it had, as nats-server's does.
        var closed = Snapshot();
        RemoveAllSubscriptions();
        _account.ClientLeft();
        _outbound.Release();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _server.OnClientClosed(this, closed);
        _logger.LogDebug("cid:{cid} - {remote} - Client connection closed: {reason}", Id, RemoteEndPoint, _closeReason.Describe());
    }

    /// <summary>
    /// Called by the server's housekeeping timer: auth timeout, server PINGs and stale detection,
    /// the write deadline, and a bound on how long a flush-before-close may take.
    /// </summary>
    internal void OnTimerTick(long nowTicks)
    {
        var options = _server.Options.Server;
        if (IsClosing)
        {
            if (nowTicks - _output.ClosingSinceTicks > 2000)
            {
                _output.Abort();
            }

            return;
        }

        if (_gatewayReplies is { IsEmpty: false } replies)
        {
            replies.RemoveExpired(Environment.TickCount64);
        }

        if (_authRequired && !_connected && nowTicks - StartTicks > (long)options.AuthTimeout.TotalMilliseconds)
        {
            CloseWithError(ErrorMessages.AuthenticationTimeout, CloseReason.AuthenticationTimeout);
            return;
        }

        var flushStarted = _outbound.FlushStartedTicks;
        if (flushStarted != 0 && nowTicks - flushStarted > (long)options.WriteDeadline.TotalMilliseconds)
        {
            MarkSlowConsumer(CloseReason.SlowConsumerWriteDeadline);
            return;
        }

        if (nowTicks >= _nextPingTicks)
        {
            // On the schedule, not from this tick: a tick that comes late must not push every later PING back.
            var interval = (long)options.PingInterval.TotalMilliseconds;
            _nextPingTicks = _nextPingTicks + interval > nowTicks ? _nextPingTicks + interval : nowTicks + interval;
            if (Volatile.Read(ref _pingsOut) + 1 > options.PingMax)
            {
                // The -ERR is handed to the kernel and the connection aborted: a client that answers
                // no PING sends no FIN either, and lingering for one would keep it in /connz 2 s more.
                _server.CountStaleConnection();
                _logger.LogDebug("cid:{cid} - Stale Client Connection - Closing", Id);
                _output.SendNow(StaleConnectionError);
                BeginClose(CloseReason.StaleConnection, flushFirst: true, lingerAfterFlush: false);
                return;
            }

            Interlocked.Increment(ref _pingsOut);
            _output.SendNow(ProtocolTokens.Ping);
        }
    }

    private long StartTicks { get; } = Environment.TickCount64;

    public ClientSnapshot Snapshot() => new(
        Id,
        RemoteEndPoint,
        Start,
        LastActivity,
        _stop,
        _stop is null ? null : _closeReason.Describe(),
        null,
        Name,
        Lang,
        ClientVersion,
        _account.Name,
        _user,
        PendingBytes,
        InMsgs,
        OutMsgs,
        InBytes,
        OutBytes,
        GetSubscriptions())
    {
        Stalls = _outbound.Stalls,
    };
}
