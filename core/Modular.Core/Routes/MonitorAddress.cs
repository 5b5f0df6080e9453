using System.Net;
using System.Net.Sockets;
using Modular.Core.Config;
using Modular.Core.Transport;

namespace Modular.Core.Routes;

/// <summary>
/// The monitoring URL a server tells a peer in its route INFO (<c>monitor_url</c>), chosen so that
/// whoever reads the peer's /routez can reach it:
/// <list type="bullet">
/// <item>monitoring on a given address: that address (a loopback one only over a loopback route:
/// from another machine it would name the reader's own host);</item>
/// <item>monitoring on every address (0.0.0.0, ::): the cluster's <c>advertise</c> host when set
/// (the operator said that is how others reach us), else the local address of the route connection,
/// which is the address the peer reached us on, or that we reached the peer from;</item>
/// <item>no monitoring, or nothing usable: no URL, and <c>cluster check</c> says so.</item>
/// </list>
/// </summary>
internal static class MonitorAddress
{
    /// <param name="monitor">The <c>[monitor]</c> settings.</param>
    /// <param name="boundMonitor">The bound monitoring address once listening (null before: routes start first).</param>
    /// <param name="clusterAdvertise">The <c>[cluster] advertise</c> value ("host:port"), if any.</param>
    /// <param name="routeLocalAddress">This side's address on the route connection, when known.</param>
    public static string? For(MonitorOptions monitor, IPEndPoint? boundMonitor, string? clusterAdvertise, IPAddress? routeLocalAddress)
    {
        if (!monitor.Enabled)
        {
            return null;
        }

        var port = boundMonitor?.Port ?? monitor.Port;
        if (port <= 0)
        {
            return null; // port 0 and not bound yet: the real port is not known
        }

        IPAddress listen;
        if (boundMonitor is not null)
        {
            listen = boundMonitor.Address;
        }
        else
        {
            try
            {
                listen = HostAddress.Parse(monitor.Host!);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        var local = routeLocalAddress is { IsIPv4MappedToIPv6: true } ? routeLocalAddress.MapToIPv4() : routeLocalAddress;
        string? host;
        if (listen.Equals(IPAddress.Any) || listen.Equals(IPAddress.IPv6Any))
        {
            host = AdvertisedHost(clusterAdvertise) ?? (local is null || IsUnspecified(local) ? null : Format(local));
        }
        else if (IPAddress.IsLoopback(listen) && local is not null && !IPAddress.IsLoopback(local))
        {
            host = null;
        }
        else
        {
            host = Format(listen.IsIPv4MappedToIPv6 ? listen.MapToIPv4() : listen);
        }

        return host is null ? null : $"http://{host}:{port}";
    }

    private static string? AdvertisedHost(string? advertise)
    {
        if (string.IsNullOrWhiteSpace(advertise) || !RouteManager.TrySplitHostPort(advertise, out var host, out _) || host.Length == 0)
        {
            return null;
        }

        // A bare IPv6 literal needs brackets in a URL; "[::1]" already has them.
        return host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
    }

    private static bool IsUnspecified(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static string? Format(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        // A link-local address means nothing without its zone, and zones do not travel between hosts.
        return address.IsIPv6LinkLocal ? null : $"[{address}]";
    }
}
