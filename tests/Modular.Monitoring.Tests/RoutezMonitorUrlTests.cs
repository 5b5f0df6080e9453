using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Server;

namespace Modular.Monitoring.Tests;

/// <summary>
/// The <c>monitor_url</c> a server announces in its route INFO once monitoring runs beside it, and
/// the peers' URLs in /routez.
/// </summary>
public class RoutezMonitorUrlTests
{
    /// <summary>
    /// A real server (sockets on loopback, monitoring on 0.0.0.0 with an OS-assigned port) and a
    /// scripted peer on its route port: the server's INFO names its monitoring URL as the address the
    /// peer dialed, and the peer's <c>monitor_url</c> shows on its route in /routez.
    /// </summary>
    [Fact]
    public async Task AcceptedRoute_InfoCarriesOurMonitorUrl_RoutezShowsThePeers()
    {
        var options = new ModularOptions
        {
            Server = new ServerOptions { Host = "127.0.0.1", Port = 0, Name = "me" },
            Monitor = new MonitorOptions { Host = "0.0.0.0", Port = 0 },
            Cluster = new ClusterOptions { Name = "c1", Host = "127.0.0.1", Port = 0, PoolSize = -1 },
        };
        await using var server = new NatsServer(options, NullLoggerFactory.Instance);
        await using var monitoring = await MonitoringHost.StartAsync(server, options.Monitor, NullLoggerFactory.Instance);
        await server.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        using var peer = new TcpClient();
        await peer.ConnectAsync(IPAddress.Loopback, server.Routes!.EndPoint!.Port, timeout.Token);
        var stream = peer.GetStream();
        var info = await ReadLineAsync(stream, timeout.Token);
        Assert.StartsWith("INFO ", info, StringComparison.Ordinal);
        using (var ours = JsonDocument.Parse(info["INFO ".Length..]))
        {
            Assert.Equal($"http://127.0.0.1:{server.MonitorEndPoint!.Port}", ours.RootElement.GetProperty("monitor_url").GetString());
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"name\":\"PEER\",\"cluster\":\"c1\"}\r\n"
            + "INFO {\"server_id\":\"PEER\",\"server_name\":\"peer\",\"cluster\":\"c1\",\"headers\":true,\"port\":1,\"host\":\"127.0.0.1\",\"monitor_url\":\"http://127.0.0.1:18222\"}\r\n"
            + "PING\r\n"), timeout.Token);
        while (server.Routes.RouteCount == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        var routez = JsonAssert.Serialize(RoutezBuilder.Build(server, subs: false, detail: false));
        var route = Assert.Single(routez.GetProperty("routes").EnumerateArray());
        Assert.Equal("PEER", route.GetProperty("remote_id").GetString());
        Assert.Equal("http://127.0.0.1:18222", route.GetProperty("monitor_url").GetString());
    }

    [Fact]
    public void Routez_RouteWithoutMonitorUrl_LeavesTheFieldOut()
    {
        var model = new Models.RouteInfoModel { Rid = 1, RemoteId = "NATS" };

        JsonAssert.Lacks(JsonAssert.Serialize(model), "monitor_url");
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1)
        {
            if (one[0] == (byte)'\n')
            {
                return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd('\r');
            }

            bytes.Add(one[0]);
        }

        throw new EndOfStreamException("the server closed the route before a full line");
    }
}
