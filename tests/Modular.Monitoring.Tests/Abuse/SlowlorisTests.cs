using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Server;
using Xunit.Abstractions;

namespace Modular.Monitoring.Tests.Abuse;

/// <summary>
/// Monitoring under a slowloris attack (issue 13): 200 connections trickle a header byte every
/// 500 ms for 10 s while a prober GETs /varz and /healthz 30 times; every probe must be answered
/// 200 promptly. nats-server 2.9 gets the same attack in the same run, for the figures.
/// </summary>
public sealed class SlowlorisTests(ITestOutputHelper output)
{
    private const int Attackers = 200;
    private const int Probes = 30;
    private static readonly TimeSpan AttackFor = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Slowloris_200TricklingConnections_EveryProbeAnswered200()
    {
        var options = new ModularOptions
        {
            Server = new ServerOptions { Host = "127.0.0.1", Port = 0 },
            Monitor = new MonitorOptions { Host = "127.0.0.1", Port = 0 },
        };
        await using var server = new NatsServer(options, NullLoggerFactory.Instance);
        await using var monitoring = await MonitoringHost.StartAsync(server, options.Monitor, NullLoggerFactory.Instance);
        await server.StartAsync();

        var modular = await Slowloris.RunAsync(monitoring!.EndPoint, Attackers, Probes, AttackFor);
        output.WriteLine(modular.Describe("modular"));

        if (ExternalNatsServer.Executable() is { } natsServer)
        {
            using var reference = await ExternalNatsServer.StartAsync(natsServer);
            var nats = await Slowloris.RunAsync(reference.Monitor, Attackers, Probes, AttackFor);
            output.WriteLine(nats.Describe("nats-server"));
        }
        else
        {
            output.WriteLine("nats-server: not installed, no comparison");
        }

        Assert.Equal(Attackers, modular.Connected);
        Assert.All(modular.Probes, p => Assert.True(p.Status == 200, $"{p.Path} answered {p.Status} after {p.Latency.TotalMilliseconds:0} ms"));
        Assert.True(modular.Max < TimeSpan.FromSeconds(2), "slowest probe took " + modular.Max);
    }
}
