using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Plugins;
using Modular.Core.Server;
using Modular.Monitoring;
using Modular.Server.Logging;
using Spectre.Console;

namespace Modular.Server.Commands;

/// <summary>
/// <c>modular up [-n 3] [--clusters 1] [-c TEMPLATE]</c>: a full-mesh cluster of n servers in this
/// process, on loopback ports picked free, with a live table of servers, routes, connections and
/// msgs/s. Each server gets the template's settings (or the defaults) with its own name, ports and
/// log file, and routes to all the others. With <c>--clusters K</c>, K such clusters (servers a1…,
/// b1…) joined by gateways into a super-cluster, every server listing every other cluster's
/// gateways. Ctrl-C (or SIGTERM) stops them all.
/// </summary>
internal static class UpCommand
{
    private const int MaxServers = 32;
    private const int MaxClusters = 8;
    private const int PortsPerServer = 4; // client, monitor, cluster, gateway
    private const string UsageLine = "usage: modular up [-n 3] [--clusters 1] [-c TEMPLATE]   (a local full-mesh cluster, or K clusters joined by gateways; Ctrl-C stops it)";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PlainStatusEvery = TimeSpan.FromSeconds(5);

    public static async Task<int> ExecuteAsync(IReadOnlyList<string> args)
    {
        var count = 3;
        var clusters = 1;
        string? template = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                Console.Out.WriteLine(UsageLine);
                return ExitCodes.Ok;
            }

            if (arg is "-n" && i + 1 < args.Count)
            {
                if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MaxServers)
                {
                    Cli.Fail($"up: -n needs a number of servers from 1 to {MaxServers}, not \"{args[i]}\"");
                    return ExitCodes.BadConfigOrUsage;
                }
            }
            else if (arg is "--clusters" && i + 1 < args.Count)
            {
                if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out clusters) || clusters < 1 || clusters > MaxClusters)
                {
                    Cli.Fail($"up: --clusters needs a number of clusters from 1 to {MaxClusters}, not \"{args[i]}\"");
                    return ExitCodes.BadConfigOrUsage;
                }
            }
            else if (arg is "-c" or "--config" && i + 1 < args.Count)
            {
                template = args[++i];
            }
            else
            {
                Cli.Fail($"up: unexpected argument \"{arg}\" ({UsageLine})");
                return ExitCodes.BadConfigOrUsage;
            }
        }

        var logDirectory = Directory.CreateTempSubdirectory("modular-up-").FullName;
        if (count * clusters > MaxServers)
        {
            Cli.Fail($"up: {count} servers in each of {clusters} clusters is more than {MaxServers}");
            return ExitCodes.BadConfigOrUsage;
        }

        var ports = PickPorts(count * clusters * PortsPerServer);
        var plans = new List<ModularOptions>();
        try
        {
            for (var c = 0; c < clusters; c++)
            {
                for (var i = 0; i < count; i++)
                {
                    plans.Add(Plan(template, c, clusters, i, count, ports, logDirectory));
                }
            }
        }
        catch (ConfigException ex)
        {
            Cli.PrintErrors(ex);
            return ExitCodes.BadConfigOrUsage;
        }

        using var stopping = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stopping));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stopping));

        // SIGUSR2 (`modular ldm`) would end the whole process by default: lame duck mode is for `run` servers.
        using var lameDuck = PosixSignals.LameDuck is { } usr2
            ? PosixSignalRegistration.Create(usr2, context =>
            {
                context.Cancel = true;
                Console.Error.WriteLine("modular up: lame duck mode (SIGUSR2) is for servers of `modular run`; ignored");
            })
            : null;

        var nodes = new List<UpNode>();
        try
        {
            foreach (var options in plans)
            {
                var node = await UpNode.StartAsync(options, stopping.Token).ConfigureAwait(false);
                if (node is null)
                {
                    return ExitCodes.BadConfigOrUsage;
                }

                nodes.Add(node);
                var server = node.Server;
                Console.Out.WriteLine(
                    $"{server.ServerName}: clients nats://127.0.0.1:{server.ClientEndPoint!.Port}  monitor http://127.0.0.1:{server.MonitorEndPoint!.Port}  " +
                    $"routes 127.0.0.1:{server.Routes!.EndPoint!.Port}  " +
                    (server.Gateways is { } gateways ? $"gateway {gateways.Name} 127.0.0.1:{gateways.EndPoint!.Port}  " : "") +
                    $"log {options.Log.File}");
            }

            Console.Out.WriteLine(clusters == 1
                ? $"modular up: {count} servers in cluster \"{plans[0].Cluster!.Name}\"; Ctrl-C stops them all"
                : $"modular up: {clusters} clusters of {count} servers joined by gateways ({string.Join(", ", plans.Select(p => p.Gateway!.Name).Distinct())}); Ctrl-C stops them all");
            Console.Out.Flush();
            await ShowAsync(nodes, count, clusters, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (SocketException ex)
        {
            Cli.Fail("up: failed to start: " + ex.Message);
            await StopAllAsync(nodes).ConfigureAwait(false);
            return ExitCodes.RuntimeFailure;
        }

        Console.Out.WriteLine("modular up: stopping");
        await StopAllAsync(nodes).ConfigureAwait(false);
        Console.Out.WriteLine("modular up: stopped");
        return ExitCodes.Ok;
    }

    private static void Stop(PosixSignalContext context, CancellationTokenSource stopping)
    {
        if (stopping.IsCancellationRequested)
        {
            return; // a second Ctrl-C ends the process at once
        }

        context.Cancel = true;
        stopping.Cancel();
    }

    private static async Task StopAllAsync(List<UpNode> nodes)
    {
        await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    /// <summary>
    /// Node i of n in cluster c of k: the template (or defaults) with its own name, loopback ports,
    /// routes to every other node of its cluster, a log file, and with k &gt; 1 a gateway listing
    /// every other cluster's servers.
    /// </summary>
    private static ModularOptions Plan(string? template, int clusterIndex, int clusters, int index, int count, int[] ports, string logDirectory)
    {
        int Port(int cluster, int node, int which) => ports[(((cluster * count) + node) * PortsPerServer) + which];
        static string Letter(int cluster) => ((char)('a' + cluster)).ToString();
        var options = template is null ? ConfigLoader.Defaults() : ConfigLoader.Load(template);
        // n1, n2… for one cluster; a1…, b1… for several; after the template's name when it has one.
        var suffix = clusters == 1 ? $"{index + 1}" : $"{Letter(clusterIndex)}{index + 1}";
        var name = options.Server.Name is { Length: > 0 } baseName ? $"{baseName}-{suffix}" : clusters == 1 ? $"n{suffix}" : suffix;
        options.Server.Name = name;
        options.Server.Host = "127.0.0.1";
        options.Server.Port = Port(clusterIndex, index, 0);
        options.Monitor.Host = "127.0.0.1";
        options.Monitor.Port = Port(clusterIndex, index, 1);
        var cluster = options.Cluster ?? new ClusterOptions();
        cluster.Name ??= "up";
        var clusterName = clusters == 1 ? cluster.Name : $"{cluster.Name}-{Letter(clusterIndex)}";
        cluster.Name = clusterName;
        cluster.Host = "127.0.0.1";
        cluster.Port = Port(clusterIndex, index, 2);
        cluster.Advertise = null;
        cluster.Routes = Enumerable.Range(0, count)
            .Where(j => j != index)
            .Select(j => new Uri($"nats-route://127.0.0.1:{Port(clusterIndex, j, 2)}"))
            .ToList();
        options.Cluster = cluster;
        if (clusters > 1)
        {
            var baseCluster = clusterName[..^2];
            options.Gateway = new GatewayOptions
            {
                Name = clusterName,
                Host = "127.0.0.1",
                Port = Port(clusterIndex, index, 3),
                Gateways = Enumerable.Range(0, clusters)
                    .Where(c => c != clusterIndex)
                    .Select(c => new RemoteGatewayOptions
                    {
                        Name = $"{baseCluster}-{Letter(c)}",
                        Urls = Enumerable.Range(0, count).Select(j => new Uri($"nats://127.0.0.1:{Port(c, j, 3)}")).ToList(),
                    })
                    .ToList(),
            };
        }

        options.Log.File = Path.Combine(logDirectory, name + ".log");
        return options;
    }

    /// <summary>Distinct free loopback ports (bound and released at once; another program could take one before we bind it again).</summary>
    private static int[] PickPorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    private static async Task ShowAsync(List<UpNode> nodes, int count, int clusters, CancellationToken cancellationToken)
    {
        var rates = new RateTracker(nodes);
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Not a terminal (a pipe, a log): a plain status line now and then instead of a live table.
            var meshReported = false;
            var lastStatus = DateTime.MinValue;
            while (true)
            {
                await Task.Delay(Refresh, cancellationToken).ConfigureAwait(false);
                var rows = rates.Sample();
                var whole = rows.All(r => r.Peers == count - 1 && r.Gateways == clusters - 1);
                if (whole && !meshReported)
                {
                    Console.Out.WriteLine(clusters == 1
                        ? $"modular up: full mesh: every server routes to the other {count - 1}"
                        : $"modular up: super-cluster: every server routes to the other {count - 1} of its cluster and has a gateway to each of the other {clusters - 1} clusters");
                    meshReported = true;
                }

                if (DateTime.UtcNow - lastStatus >= PlainStatusEvery)
                {
                    lastStatus = DateTime.UtcNow;
                    Console.Out.WriteLine(string.Join("  |  ", rows.Select(r =>
                        $"{r.Name}: peers {r.Peers}/{count - 1}, {(clusters > 1 ? $"gateways {r.Gateways}/{clusters - 1}, " : "")}routes {r.Routes}, clients {r.Clients}, in {r.InRate:0}/s, out {r.OutRate:0}/s")));
                }

                Console.Out.Flush();
            }
        }

        var table = BuildTable(rates.Sample(), count, clusters);
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Refresh, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                context.UpdateTarget(BuildTable(rates.Sample(), count, clusters));
            }
        }).ConfigureAwait(false);
    }

    private static Table BuildTable(IReadOnlyList<UpRow> rows, int count, int clusters)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(clusters == 1 ? $"modular up: {count} servers (Ctrl-C stops all)" : $"modular up: {clusters} clusters of {count} servers (Ctrl-C stops all)")
            .AddColumn("server")
            .AddColumn("clients URL")
            .AddColumn("monitor")
            .AddColumn(new TableColumn("peers").RightAligned())
            .AddColumn(new TableColumn("route conns").RightAligned())
            .AddColumn(new TableColumn("gateways").RightAligned())
            .AddColumn(new TableColumn("clients").RightAligned())
            .AddColumn(new TableColumn("subs").RightAligned())
            .AddColumn(new TableColumn("msgs/s in").RightAligned())
            .AddColumn(new TableColumn("msgs/s out").RightAligned());
        foreach (var row in rows)
        {
            var peers = row.Peers == count - 1 ? $"[green]{row.Peers}/{count - 1}[/]" : $"[red]{row.Peers}/{count - 1}[/]";
            table.AddRow(
                Markup.Escape(row.Name),
                Markup.Escape(row.ClientUrl),
                Markup.Escape(row.MonitorUrl),
                peers,
                row.Routes.ToString(CultureInfo.InvariantCulture),
                clusters == 1 ? "-" : row.Gateways == clusters - 1 ? $"[green]{row.Gateways}/{clusters - 1}[/]" : $"[red]{row.Gateways}/{clusters - 1}[/]",
                row.Clients.ToString(CultureInfo.InvariantCulture),
                row.Subscriptions.ToString(CultureInfo.InvariantCulture),
                row.InRate.ToString("0", CultureInfo.InvariantCulture),
                row.OutRate.ToString("0", CultureInfo.InvariantCulture));
        }

        return table;
    }

    /// <summary>One server of the local cluster with its plugins and its own log file.</summary>
    private sealed class UpNode : IAsyncDisposable
    {
        private readonly ILoggerFactory _loggerFactory;
        private readonly PluginCatalog _catalog;
        private readonly PluginComposition _plugins;
        private MonitoringServer? _monitoring;

        private UpNode(NatsServer server, ILoggerFactory loggerFactory, PluginCatalog catalog, PluginComposition plugins)
        {
            Server = server;
            _loggerFactory = loggerFactory;
            _catalog = catalog;
            _plugins = plugins;
        }

        public NatsServer Server { get; }

        public static async Task<UpNode?> StartAsync(ModularOptions options, CancellationToken cancellationToken)
        {
            var loggerFactory = LoggingSetup.CreateLoggerFactory(options);
            var catalog = PluginSetup.TryLoad(options, loggerFactory, out var plugins);
            if (catalog is null || plugins is null)
            {
                loggerFactory.Dispose();
                return null;
            }

            await plugins.StartAsync(cancellationToken).ConfigureAwait(false);
            var server = new NatsServer(options, loggerFactory, plugins.Seams);
            var node = new UpNode(server, loggerFactory, catalog, plugins);
            try
            {
                node._monitoring = await MonitoringHost.StartAsync(server, options.Monitor, loggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
                return node;
            }
            catch
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync().ConfigureAwait(false);
            if (_monitoring is not null)
            {
                await _monitoring.DisposeAsync().ConfigureAwait(false);
            }

            await _plugins.StopAsync().ConfigureAwait(false);
            _catalog.Dispose();
            _loggerFactory.Dispose();
        }
    }

    private sealed record UpRow(string Name, string ClientUrl, string MonitorUrl, int Peers, int Routes, int Gateways, int Clients, long Subscriptions, double InRate, double OutRate);

    /// <summary>msgs/s from the difference of the servers' counters between two samples.</summary>
    private sealed class RateTracker(List<UpNode> nodes)
    {
        private readonly Dictionary<NatsServer, (long In, long Out, DateTime At)> _last = new();

        public IReadOnlyList<UpRow> Sample()
        {
            var rows = new List<UpRow>();
            var now = DateTime.UtcNow;
            foreach (var node in nodes)
            {
                var server = node.Server;
                var inMsgs = Interlocked.Read(ref server.Statistics.InMsgs);
                var outMsgs = Interlocked.Read(ref server.Statistics.OutMsgs);
                double inRate = 0, outRate = 0;
                if (_last.TryGetValue(server, out var last) && now > last.At)
                {
                    var seconds = (now - last.At).TotalSeconds;
                    inRate = (inMsgs - last.In) / seconds;
                    outRate = (outMsgs - last.Out) / seconds;
                }

                _last[server] = (inMsgs, outMsgs, now);
                var routes = server.Routes;
                rows.Add(new UpRow(
                    server.ServerName,
                    $"nats://127.0.0.1:{server.ClientEndPoint?.Port}",
                    $"http://127.0.0.1:{server.MonitorEndPoint?.Port}",
                    routes?.RemoteCount ?? 0,
                    routes?.RouteCount ?? 0,
                    server.Gateways?.GetOutbound().Count ?? 0,
                    server.ClientCount,
                    server.Accounts.All.Sum(a => (long)a.Subscriptions.GetStats().Count),
                    inRate,
                    outRate));
            }

            return rows;
        }
    }
}
