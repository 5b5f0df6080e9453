using Modular.Core.Config;
using Modular.Core.Routes.Health;

namespace Modular.Core.Tests.Routes.Health;

/// <summary>
/// The keep-alive clock finds a silent route stale within nats-server's bound: ping_interval ×
/// (ping_max + 1) after the last answered PING, plus at most one housekeeping tick, however late
/// the ticks come.
/// </summary>
public sealed class RouteKeepAliveStaleTests
{
    private const long Interval = 1000;
    private const long TickPeriod = 100;

    [Fact]
    public void Tick_TicksComeLate_PingsStayOnScheduleAndStaleWithinTheBound()
    {
        var options = new ModularOptions();
        var clock = new RouteKeepAlive(TimeSpan.FromMilliseconds(Interval), options);
        var registered = Environment.TickCount64;
        clock.OnRegistered();

        // Every tick comes 99 ms after the one before would have found the PING due.
        var answeredAt = long.MinValue;
        var now = registered;
        var pings = 0;
        KeepAliveAction action;
        do
        {
            now += TickPeriod - 1;
            action = clock.Tick(now, isClosing: false, closingSinceTicks: 0, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0);
            if (action == KeepAliveAction.Ping && ++pings == 1)
            {
                // The first PING is answered; nothing after it is.
                clock.OnPong();
                answeredAt = now;
            }
        }
        while (action != KeepAliveAction.Stale && now - registered < 20_000);

        Assert.Equal(KeepAliveAction.Stale, action);
        Assert.Equal(1 + options.Server.PingMax, pings);
        Assert.InRange(now - answeredAt, Interval * options.Server.PingMax, (Interval * (options.Server.PingMax + 1)) + TickPeriod);
    }
}
