using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Routes;
using Modular.Core.Server;

namespace Modular.Core.Tests.Routes;

/// <summary>
/// The <c>monitor_url</c> a Modular server puts in its route INFO (so <c>cluster check</c> can find
/// the whole cluster from one server) and shows per route in /routez.
/// </summary>
public class MonitorUrlTests
{
    [Fact]
    public void RouteInfo_MonitorUrl_RoundTrips_AndIsOmittedWhenUnknown()
    {
        var parsed = RouteInfo.Parse("{\"server_id\":\"S1\",\"port\":6222,\"monitor_url\":\"http://10.0.0.1:8222\",\"gateway_url\":\"x:7222\",\"not_modeled\":7}"u8);

        Assert.NotNull(parsed);
        Assert.Equal("http://10.0.0.1:8222", parsed.MonitorUrl);
        Assert.Equal("x:7222", parsed.GatewayUrl);
        Assert.True(parsed.Extra!.ContainsKey("not_modeled"), "fields we do not model are still kept");
        var line = Encoding.UTF8.GetString(parsed.ToLine());
        Assert.Contains("\"monitor_url\":\"http://10.0.0.1:8222\"", line, StringComparison.Ordinal);

        // A nats-server INFO has no such field: it reads as null and is not written back.
        var fromNatsServer = RouteInfo.Parse("{\"server_id\":\"S2\",\"port\":6222}"u8);
        Assert.Null(fromNatsServer!.MonitorUrl);
        Assert.DoesNotContain("monitor_url", Encoding.UTF8.GetString(fromNatsServer.ToLine()), StringComparison.Ordinal);
    }

    [Theory]
    // monitoring on a given address: that address
    [InlineData("10.0.0.5", 8222, null, "10.0.0.9", "http://10.0.0.5:8222")]
    [InlineData("127.0.0.1", 8222, null, "127.0.0.1", "http://127.0.0.1:8222")]
    [InlineData("localhost", 8222, null, null, "http://127.0.0.1:8222")]
    [InlineData("::1", 8222, null, "::1", "http://[::1]:8222")]
    // loopback monitoring over a route between machines: a peer could not reach it
    [InlineData("127.0.0.1", 8222, null, "10.0.0.9", null)]
    [InlineData("127.0.0.1", 8222, "10.0.0.9:6222", "10.0.0.9", null)]
    // every address: the cluster's advertise host, else the address the route came in on
    [InlineData("0.0.0.0", 8222, "nats1.example.com:6222", "10.0.0.9", "http://nats1.example.com:8222")]
    [InlineData("0.0.0.0", 8222, null, "10.0.0.9", "http://10.0.0.9:8222")]
    [InlineData("0.0.0.0", 8222, null, "::ffff:10.0.0.9", "http://10.0.0.9:8222")]
    [InlineData("::", 8222, null, "fd00::9", "http://[fd00::9]:8222")]
    [InlineData("0.0.0.0", 8222, null, null, null)]
    [InlineData("0.0.0.0", 8222, null, "fe80::1", null)]
    // port 0 before the listener is bound: not known yet
    [InlineData("127.0.0.1", 0, null, "127.0.0.1", null)]
    public void MonitorAddress_ChoosesAnAddressPeersCanReach(string listenHost, int port, string? advertise, string? routeLocal, string? expected)
    {
        var monitor = new MonitorOptions { Host = listenHost, Port = port };
        var local = routeLocal is null ? null : IPAddress.Parse(routeLocal);

        Assert.Equal(expected, MonitorAddress.For(monitor, boundMonitor: null, advertise, local));
    }

    [Fact]
    public void MonitorAddress_NoMonitoring_NoUrl_AndTheBoundPortWins()
    {
        Assert.Null(MonitorAddress.For(new MonitorOptions(), null, null, IPAddress.Loopback));
        var portZero = new MonitorOptions { Host = "127.0.0.1", Port = 0 };
        Assert.Equal("http://127.0.0.1:41234", MonitorAddress.For(portZero, new IPEndPoint(IPAddress.Loopback, 41234), null, IPAddress.Loopback));
    }
}
