using System.Text;
using System.Text.Json;
using Modular.Monitoring.Models;

namespace Modular.Monitoring.Metrics;

/// <summary>
/// <c>/metrics</c>: the server's figures in Prometheus text format, named as
/// prometheus-nats-exporter names them so existing NATS dashboards work unchanged:
/// <list type="bullet">
/// <item><c>gnatsd_varz_&lt;field&gt;{server_id}</c> for every number in /varz, and
/// <c>gnatsd_varz_{server_id,server_name,version}{server_id,value} 1</c> for its identity strings
/// (the exporter's generic collector, collector/collector.go: namespace "gnatsd", subsystem "varz",
/// every field a gauge);</item>
/// <item><c>gnatsd_routez_num_routes</c>, <c>gnatsd_routez_route_info</c> and
/// <c>gnatsd_routez_route_{rtt_seconds,subscriptions,uptime_seconds,in_msgs,out_msgs,in_bytes,out_bytes}{server_id,rid}</c>
/// (collector/routez.go);</item>
/// <item><c>gnatsd_accstatz_{current_connections,subscriptions}{server_id,account,account_id,account_name}</c>
/// per account (collector/accstatz.go; the exporter reads /accstatz, which Modular does not serve).</item>
/// </list>
/// Figures the exporter has no name for are <c>modular_</c>: route pending bytes, slow consumers,
/// compressed byte counts and the compression ratio.
/// </summary>
public static class PrometheusMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string Gauge = "gauge";
    private const string Counter = "counter";

    /// <summary>/varz fields the exporter turns into label gauges ({server_id, value} = 1).</summary>
    private static readonly string[] VarzLabelFields = ["server_id", "server_name", "version"];

    public static MonitorResponse Render(Varz varz, Routez? routez, IReadOnlyList<MonitoredAccount> accounts)
    {
        var writer = new PrometheusTextWriter();
        var serverId = varz.ServerId;
        WriteVarz(writer, varz, serverId);
        if (routez is not null)
        {
            WriteRoutez(writer, routez, serverId);
        }

        WriteAccounts(writer, accounts, serverId);
        return new MonitorResponse(200, ContentType, Encoding.UTF8.GetBytes(writer.ToString()));
    }

    /// <summary>Every top-level number of /varz, as the exporter's generic collector reads the JSON.</summary>
    private static void WriteVarz(PrometheusTextWriter writer, Varz varz, string serverId)
    {
        using var document = JsonDocument.Parse(MonitorJson.Serialize(varz, indented: false));
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var name = "gnatsd_varz_" + property.Name;
            if (property.Value.ValueKind == JsonValueKind.Number)
            {
                writer.Family(name, Gauge, property.Name);
                writer.Sample(name, property.Value.GetDouble(), ("server_id", serverId));
            }
            else if (property.Value.ValueKind == JsonValueKind.String && VarzLabelFields.Contains(property.Name))
            {
                writer.Family(name, Gauge, property.Name);
                writer.Sample(name, 1, ("server_id", serverId), ("value", property.Value.GetString() ?? ""));
            }
        }
    }

    private static void WriteRoutez(PrometheusTextWriter writer, Routez routez, string serverId)
    {
        writer.Family("gnatsd_routez_num_routes", Gauge, "num_routes");
        writer.Sample("gnatsd_routez_num_routes", routez.NumRoutes, ("server_id", serverId));
        if (routez.Routes.Count == 0)
        {
            return;
        }

        writer.Family("gnatsd_routez_route_info", Gauge, "route_info");
        foreach (var route in routez.Routes)
        {
            writer.Sample(
                "gnatsd_routez_route_info",
                1,
                ("server_id", serverId),
                ("rid", Rid(route)),
                ("remote_id", route.RemoteId),
                ("remote_name", route.RemoteName),
                ("account", route.Account ?? ""),
                ("ip", route.Ip),
                ("compression", route.Compression ?? ""));
        }

        PerRoute(writer, routez, serverId, "gnatsd_routez_route_rtt_seconds", Gauge, "rtt_seconds", r => r.RttValue?.TotalSeconds);
        PerRoute(writer, routez, serverId, "gnatsd_routez_route_subscriptions", Gauge, "subscriptions", r => r.Subscriptions);
        PerRoute(writer, routez, serverId, "gnatsd_routez_route_uptime_seconds", Gauge, "uptime_seconds", r => Math.Max(0, (routez.Now - r.Start).TotalSeconds));
        PerRoute(writer, routez, serverId, "gnatsd_routez_route_in_msgs", Gauge, "in_msgs", r => r.InMsgs);
        PerRoute(writer, routez, serverId, "gnatsd_routez_route_out_msgs", Gauge, "out_msgs", r => r.OutMsgs);
        PerRoute(writer, routez, serverId, "gnatsd_routez_route_in_bytes", Gauge, "in_bytes", r => r.InBytes);
        PerRoute(writer, routez, serverId, "gnatsd_routez_route_out_bytes", Gauge, "out_bytes", r => r.OutBytes);

        PerRoute(writer, routez, serverId, "modular_route_pending_bytes", Gauge, "Bytes queued to send on the route connection", r => r.PendingSize);
        PerRoute(writer, routez, serverId, "modular_route_slow_consumers_total", Counter, "Times the route connection was a slow consumer", r => r.SlowConsumers);
        PerRoute(writer, routez, serverId, "modular_route_compression_out_uncompressed_bytes_total", Counter, "Bytes given to the route's compressor", r => r.CompressionOutBytesUncompressed);
        PerRoute(writer, routez, serverId, "modular_route_compression_out_compressed_bytes_total", Counter, "Bytes the route's compressor wrote to the wire", r => r.CompressionOutBytesCompressed);
        PerRoute(writer, routez, serverId, "modular_route_compression_in_compressed_bytes_total", Counter, "Compressed bytes read from the wire on the route", r => r.CompressionInBytesCompressed);
        PerRoute(writer, routez, serverId, "modular_route_compression_in_uncompressed_bytes_total", Counter, "Bytes the route's decompressor produced", r => r.CompressionInBytesUncompressed);
        PerRoute(
            writer,
            routez,
            serverId,
            "modular_route_compression_ratio",
            Gauge,
            "Uncompressed over compressed bytes sent on the route (absent while nothing was compressed)",
            r => r.CompressionOutBytesCompressed > 0 ? (double)r.CompressionOutBytesUncompressed / r.CompressionOutBytesCompressed : null);
    }

    private static void PerRoute(PrometheusTextWriter writer, Routez routez, string serverId, string name, string type, string help, Func<RouteInfoModel, double?> value)
    {
        var wrote = false;
        foreach (var route in routez.Routes)
        {
            if (value(route) is not { } number)
            {
                continue;
            }

            if (!wrote)
            {
                writer.Family(name, type, help);
                wrote = true;
            }

            writer.Sample(name, number, ("server_id", serverId), ("rid", Rid(route)));
        }
    }

    private static void WriteAccounts(PrometheusTextWriter writer, IReadOnlyList<MonitoredAccount> accounts, string serverId)
    {
        writer.Family("gnatsd_accstatz_current_connections", Gauge, "current_connections");
        foreach (var account in accounts)
        {
            writer.Sample("gnatsd_accstatz_current_connections", account.ClientCount, AccountLabels(serverId, account));
        }

        writer.Family("gnatsd_accstatz_subscriptions", Gauge, "subscriptions");
        foreach (var account in accounts)
        {
            writer.Sample("gnatsd_accstatz_subscriptions", account.Subscriptions.Count, AccountLabels(serverId, account));
        }
    }

    private static (string, string)[] AccountLabels(string serverId, MonitoredAccount account) =>
        [("server_id", serverId), ("account", account.Name), ("account_id", account.Name), ("account_name", account.Name)];

    private static string Rid(RouteInfoModel route) => route.Rid.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
