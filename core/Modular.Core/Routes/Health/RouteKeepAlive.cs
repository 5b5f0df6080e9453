using System.Diagnostics;
using Modular.Core.Config;

namespace Modular.Core.Routes.Health;

/// <summary>What the housekeeping timer asks of a route connection.</summary>
public enum KeepAliveAction
{
    None,

    /// <summary>A close with a flush is taking too long (the peer stopped reading): cut it off.</summary>
    AbortClose,

    /// <summary>An accepted route sent no CONNECT in time: -ERR 'Authentication Timeout'.</summary>
    AuthenticationTimeout,

    /// <summary>The peer never finished the handshake.</summary>
    HandshakeStalled,

    /// <summary>A write has been blocked longer than write_deadline: slow consumer.</summary>
    WriteDeadlineExceeded,

    /// <summary>Too many PINGs without a PONG: -ERR 'Stale Connection'.</summary>
    Stale,

    /// <summary>Send a PING now.</summary>
    Ping,
}

/// <summary>
/// A route connection's clock: the authentication timeout, PINGs and stale detection, the write
/// deadline, and the RTT measured by PING/PONG. Decides; the connection acts. The timer thread
/// calls <see cref="Tick"/>, the read loop the rest.
/// </summary>
public sealed class RouteKeepAlive
{
    private readonly TimeSpan _pingInterval;
    private readonly ModularOptions _options;
    private readonly long _startTicks = Environment.TickCount64;
    private long _nextPingTicks = long.MaxValue;
    private long _pingSentTimestamp; // Stopwatch ticks: loopback RTTs are well under a millisecond
    private int _pingsOut;
    private long _rttTicks = -1;
    private long _lastActivityTicks = Environment.TickCount64;

    /// <param name="options">Read at each tick: auth_timeout, write_deadline and ping_max as they are now.</param>
    public RouteKeepAlive(TimeSpan pingInterval, ModularOptions options)
    {
        _pingInterval = pingInterval;
        _options = options;
    }

    /// <summary>When the peer last sent anything (for /routez).</summary>
    public DateTime LastActivity => DateTime.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastActivityTicks));

    /// <summary>The read loop got bytes from the peer.</summary>
    public void OnActivity() => Volatile.Write(ref _lastActivityTicks, Environment.TickCount64);

    /// <summary>The round trip of the last PING/PONG; null before the first.</summary>
    public TimeSpan? Rtt
    {
        get
        {
            var ticks = Volatile.Read(ref _rttTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

    /// <summary>The route registered: the first PING goes out within about a second.</summary>
    public void OnRegistered() =>
        Volatile.Write(ref _nextPingTicks, Environment.TickCount64 + Math.Min(1000, (long)_pingInterval.TotalMilliseconds) + Random.Shared.Next(200));

    /// <summary>A PONG arrived; returns the RTT it measured (null when no PING was out).</summary>
    public TimeSpan? OnPong()
    {
        Volatile.Write(ref _pingsOut, 0);
        var sent = Volatile.Read(ref _pingSentTimestamp);
        if (sent == 0)
        {
            return null;
        }

        var rtt = Stopwatch.GetElapsedTime(sent);
        Volatile.Write(ref _rttTicks, rtt.Ticks);
        return rtt;
    }

    /// <param name="closingSinceTicks">When the close began; ignored unless <paramref name="isClosing"/>.</param>
    /// <param name="flushStartedTicks">When the write in progress began; 0 when none is.</param>
    public KeepAliveAction Tick(long nowTicks, bool isClosing, long closingSinceTicks, bool isRegistered, bool awaitingConnect, long flushStartedTicks)
    {
        if (isClosing)
        {
            return nowTicks - closingSinceTicks > 2000 ? KeepAliveAction.AbortClose : KeepAliveAction.None;
        }

        if (!isRegistered && nowTicks - _startTicks > (long)_options.Server.AuthTimeout.TotalMilliseconds + 1000)
        {
            return awaitingConnect ? KeepAliveAction.AuthenticationTimeout
                : nowTicks - _startTicks > 10_000 ? KeepAliveAction.HandshakeStalled
                : KeepAliveAction.None;
        }

        if (flushStartedTicks != 0 && nowTicks - flushStartedTicks > (long)_options.Server.WriteDeadline.TotalMilliseconds)
        {
            return KeepAliveAction.WriteDeadlineExceeded;
        }

        if (!isRegistered || nowTicks < Volatile.Read(ref _nextPingTicks))
        {
            return KeepAliveAction.None;
        }

        // On the schedule, not from this tick: a tick that comes late must not push every later PING
        // back, or ping_max unanswered PINGs would take longer than ping_interval × (ping_max + 1).
        var interval = (long)_pingInterval.TotalMilliseconds;
        var next = Volatile.Read(ref _nextPingTicks) + interval;
        Volatile.Write(ref _nextPingTicks, next > nowTicks ? next : nowTicks + interval);
        if (Volatile.Read(ref _pingsOut) + 1 > _options.Server.PingMax)
        {
            return KeepAliveAction.Stale;
        }

        Interlocked.Increment(ref _pingsOut);
        Volatile.Write(ref _pingSentTimestamp, Stopwatch.GetTimestamp());
        return KeepAliveAction.Ping;
    }
}
