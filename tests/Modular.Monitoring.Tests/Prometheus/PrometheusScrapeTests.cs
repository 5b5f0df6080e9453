using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Server;
using Xunit.Abstractions;

namespace Modular.Monitoring.Tests.Prometheus;

/// <summary>
/// /metrics read by the real thing: Debian's Prometheus scrapes a 3-node cluster (in-process nodes,
/// monitoring beside each) and PromQL over its HTTP API sees exactly the messages published;
/// <c>promtool check metrics</c> accepts the exposition.
/// </summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 500;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<(NatsServer Server, MonitoringServer Monitoring)> _nodes = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (server, monitoring) in _nodes)
        {
            await server.DisposeAsync();
            await monitoring.DisposeAsync();
        }
    }

    [Fact]
    public async Task Prometheus_ScrapesThreeNodeCluster_PromQlCountsThePublishedMessages()
    {
        if (PrometheusTools.Prometheus is not { } prometheusExecutable)
        {
            output.WriteLine("prometheus is not installed (apt-get install prometheus; scripts/test.sh does): skipped");
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var n1 = await StartNodeAsync("n1");
        var n2 = await StartNodeAsync("n2", n1);
        var n3 = await StartNodeAsync("n3", n1, n2);
        await Until(() => _nodes.All(n => n.Server.Routes!.RemoteCount == 2), "a full mesh of 3");

        await using var subscriber = await WireClient.ConnectAsync(n3.ClientEndPoint!, timeout.Token);
        await subscriber.SendAsync("SUB prom.test 1\r\n", timeout.Token);
        await subscriber.FlushAsync(timeout.Token);
        await Until(() => n1.Accounts.All.Sum(a => a.Subscriptions.GetStats().Count) >= 1, "n3's interest on n1");

        await using (var publisher = await WireClient.ConnectAsync(n1.ClientEndPoint!, timeout.Token))
        {
            var batch = new StringBuilder();
            for (int i = 0; i < Messages; i++)
            {
                batch.Append("PUB prom.test 5\r\nhello\r\n");
            }

            await publisher.SendAsync(batch.ToString(), timeout.Token);
            await publisher.FlushAsync(timeout.Token);
        }

        var received = 0;
        while (received < Messages)
        {
            if ((await subscriber.ReadLineAsync(timeout.Token)).StartsWith("MSG ", StringComparison.Ordinal))
            {
                received++;
            }
        }

        using var prometheus = await PrometheusProcess.StartAsync(prometheusExecutable, _nodes.Select(n => n.Monitoring.EndPoint));
        try
        {
            await UntilAsync(async () => await prometheus.QueryScalarAsync("count(up == 1)") == 3, "all 3 targets up");
            var inMsgs = $"gnatsd_varz_in_msgs{{server_id=\"{n1.ServerId}\"}}";
            await UntilAsync(async () => await prometheus.QueryScalarAsync(inMsgs) == Messages, $"{inMsgs} == {Messages}");
            var routedIn = $"sum(gnatsd_routez_route_in_msgs{{server_id=\"{n3.ServerId}\"}})";
            await UntilAsync(async () => await prometheus.QueryScalarAsync(routedIn) == Messages, $"{routedIn} == {Messages}");
            output.WriteLine($"{inMsgs} = {await prometheus.QueryScalarAsync(inMsgs)}; {routedIn} = {await prometheus.QueryScalarAsync(routedIn)}");
            Assert.Equal(3, await prometheus.QueryScalarAsync("count(gnatsd_varz_remotes == 2)"));
        }
        catch (TimeoutException)
        {
            output.WriteLine(prometheus.Log);
            throw;
        }
    }

    [Fact]
    public async Task Promtool_CheckMetrics_AcceptsTheExpositionOfAClusteredNode()
    {
        if (PrometheusTools.Promtool is not { } promtool)
        {
            output.WriteLine("promtool is not installed (apt-get install prometheus; scripts/test.sh does): skipped");
            return;
        }

        var n1 = await StartNodeAsync("n1");
        await StartNodeAsync("n2", n1);
        await Until(() => _nodes.All(n => n.Server.Routes!.RemoteCount == 1), "two nodes routed");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var exposition = await http.GetStringAsync($"http://{_nodes[0].Monitoring.EndPoint}/metrics");
        Assert.Contains("gnatsd_routez_route_info{", exposition, StringComparison.Ordinal);
        var (exitCode, text) = await PrometheusTools.CheckMetricsAsync(promtool, exposition);
        Assert.True(exitCode == 0, "promtool check metrics: " + text);
    }

    private static async Task Until(Func<bool> condition, string what) => await UntilAsync(() => Task.FromResult(condition()), what);

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"no {what} within {Deadline.TotalSeconds} s");
            }

            await Task.Delay(100);
        }
    }

    private async Task<NatsServer> StartNodeAsync(string name, params NatsServer[] routeTo)
    {
        var options = new ModularOptions
        {
            Server = new ServerOptions { Host = "127.0.0.1", Port = 0, Name = name },
            Monitor = new MonitorOptions { Host = "127.0.0.1", Port = 0 },
            Cluster = new ClusterOptions
            {
                Name = "prom",
                Host = "127.0.0.1",
                Port = 0,
                Routes = routeTo.Select(peer => new Uri($"nats://127.0.0.1:{peer.Routes!.EndPoint!.Port}")).ToList(),
            },
        };
        var server = new NatsServer(options, NullLoggerFactory.Instance);
        var monitoring = await MonitoringHost.StartAsync(server, options.Monitor, NullLoggerFactory.Instance);
        _nodes.Add((server, monitoring!));
        await server.StartAsync();
        return server;
    }
}
