using Modular.Core.Config;
using Modular.Core.Routes.Health;

namespace Modular.Core.Tests.Routes.Health;

public class RouteKeepAliveTests
{
    private static readonly ModularOptions Options = new();

    private static long Now => Environment.TickCount64;

    private static RouteKeepAlive New(TimeSpan? pingInterval = null) => new(pingInterval ?? TimeSpan.FromSeconds(1), Options);

    [Fact]
    public void Tick_ClosingTooLong_AbortClose()
    {
        var clock = New();
        Assert.Equal(KeepAliveAction.None, clock.Tick(Now, isClosing: true, closingSinceTicks: Now, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0));
        Assert.Equal(KeepAliveAction.AbortClose, clock.Tick(Now + 2001, isClosing: true, closingSinceTicks: Now, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0));
    }

    [Fact]
    public void Tick_NoConnectPastAuthTimeout_AuthenticationTimeout()
    {
        var later = Now + (long)Options.Server.AuthTimeout.TotalMilliseconds + 1001;
        Assert.Equal(KeepAliveAction.AuthenticationTimeout, New().Tick(later, false, 0, isRegistered: false, awaitingConnect: true, flushStartedTicks: 0));
    }

    [Fact]
    public void Tick_HandshakeNeverFinished_StalledAfterTenSeconds()
    {
        var clock = New();
        var start = Now;
        var afterAuth = start + (long)Options.Server.AuthTimeout.TotalMilliseconds + 1001;
        Assert.Equal(KeepAliveAction.None, clock.Tick(Math.Min(afterAuth, start + 9_000), false, 0, isRegistered: false, awaitingConnect: false, flushStartedTicks: 0));
        Assert.Equal(KeepAliveAction.HandshakeStalled, clock.Tick(start + 10_500, false, 0, isRegistered: false, awaitingConnect: false, flushStartedTicks: 0));
    }

    [Fact]
    public void Tick_WriteBlockedPastDeadline_WriteDeadlineExceeded()
    {
        var now = Now;
        var flushStarted = now - (long)Options.Server.WriteDeadline.TotalMilliseconds - 1;
        Assert.Equal(KeepAliveAction.WriteDeadlineExceeded, New().Tick(now, false, 0, isRegistered: true, awaitingConnect: false, flushStartedTicks: flushStarted));
    }

    [Fact]
    public void Tick_Registered_PingsUntilPingMaxThenStale()
    {
        var clock = New(TimeSpan.FromMilliseconds(10));
        Assert.Equal(KeepAliveAction.None, clock.Tick(Now, false, 0, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0));
        clock.OnRegistered();
        var now = Now + 2000;
        for (var i = 0; i < Options.Server.PingMax; i++)
        {
            now += 20;
            Assert.Equal(KeepAliveAction.Ping, clock.Tick(now, false, 0, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0));
        }

        Assert.Equal(KeepAliveAction.Stale, clock.Tick(now + 20, false, 0, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0));
    }

    [Fact]
    public void OnPong_AfterPing_MeasuresRttAndResetsPingsOut()
    {
        var clock = New(TimeSpan.FromMilliseconds(10));
        clock.OnRegistered();
        var now = Now + 2000;
        Assert.Null(clock.Rtt);
        Assert.Equal(KeepAliveAction.Ping, clock.Tick(now, false, 0, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0));
        Assert.NotNull(clock.OnPong());
        Assert.NotNull(clock.Rtt);
        for (var i = 0; i < Options.Server.PingMax; i++)
        {
            now += 20;
            Assert.Equal(KeepAliveAction.Ping, clock.Tick(now, false, 0, isRegistered: true, awaitingConnect: false, flushStartedTicks: 0));
        }
    }
}
