using Microsoft.Extensions.Logging;
using Modular.Core.Protocol;

namespace Modular.Core.Clients;

// Closing, timers (auth timeout, pings, write deadline) and snapshots.
public sealed partial class ClientConnection
{
    private int _closing;
    private bool _flushBeforeClose;
    private CloseReason _closeReason = CloseReason.ClientClosed;
    private long _closingSinceTicks;
    private long _lastActivityTicks;
    private long _nextPingTicks;
    private int _pingsOut;
    private DateTime? _stop;

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public DateTime LastActivity => DateTime.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastActivityTicks));

    /// <summary>
    /// Starts closing once; later calls do nothing. With <paramref name="flushFirst"/> the writer
    /// sends what is queued (an -ERR) before the socket closes; without it the socket closes now.
    /// </summary>
    public void BeginClose(CloseReason reason, bool flushFirst)
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0)
        {
            return;
        }

        _closeReason = reason;
        _flushBeforeClose = flushFirst;
        _closingSinceTicks = Environment.TickCount64;
        if (!flushFirst)
        {
            _connection.Abort();
        }

        // The current writer, or a new one, drains what is queued (when asked to) and closes the transport.
        TryStartWrite();
    }

    private async Task FinishCloseAsync()
    {
        _stop = DateTime.UtcNow;
        RemoveAllSubscriptions();
        _account.ClientLeft();
        _outbound.Release();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _server.OnClientClosed(this, Snapshot());
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
            if (nowTicks - _closingSinceTicks > 2000)
            {
                _connection.Abort();
            }

            return;
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
            _nextPingTicks = nowTicks + (long)options.PingInterval.TotalMilliseconds;
            if (Volatile.Read(ref _pingsOut) + 1 > options.PingMax)
            {
                Interlocked.Increment(ref _server.Statistics.StaleConnectionsClients);
                _logger.LogDebug("cid:{cid} - Stale Client Connection - Closing", Id);
                CloseWithError(ErrorMessages.StaleConnection, CloseReason.StaleConnection);
                return;
            }

            Interlocked.Increment(ref _pingsOut);
            if (_outbound.TryWrite(ProtocolTokens.Ping))
            {
                TryStartWrite();
            }
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
        GetSubscriptions());
}
