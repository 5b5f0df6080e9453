using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Modular.Core.Config;

namespace Modular.Core.Server;

/// <summary>
/// The URLs (<c>host:port</c>, no scheme) at which clients can reach this server, as nats-server's
/// getClientConnectURLs works them out: the client advertise address when configured; for a listener
/// on every interface (0.0.0.0 or ::), each global unicast address of this machine; otherwise the
/// listen host.
/// </summary>
public static class ClientUrlResolver
{
    /// <summary>
    /// Resolves the URLs for a listener on <paramref name="listenHost"/> bound to <paramref name="boundPort"/>.
    /// A machine with no address but loopback gets 127.0.0.1 (nats-server gives none there; loopback is
    /// the only address a client could use).
    /// </summary>
    public static IReadOnlyList<string> Resolve(string? advertise, string listenHost, int boundPort)
    {
        if (!string.IsNullOrEmpty(advertise) && HostPortParser.TryParse(advertise, boundPort, out var advertisedHost, out var advertisedPort, out _))
        {
            return [Join(advertisedHost, advertisedPort)];
        }

        if (!IsEveryInterface(listenHost))
        {
            return [Join(listenHost, boundPort)];
        }

        var urls = new List<string>();
        foreach (var address in GlobalUnicastAddresses())
        {
            var url = Join(address.ToString(), boundPort);
            if (!urls.Contains(url))
            {
                urls.Add(url);
            }
        }

        return urls.Count > 0 ? urls : [Join(IPAddress.Loopback.ToString(), boundPort)];
    }

    /// <summary>The host clients are told in INFO <c>host</c>/<c>port</c>: the advertise address when set, else the listen host and bound port.</summary>
    public static (string Host, int Port) InfoHostPort(string? advertise, string listenHost, int boundPort) =>
        !string.IsNullOrEmpty(advertise) && HostPortParser.TryParse(advertise, boundPort, out var host, out var port, out _)
            ? (host, port)
            : (listenHost, boundPort);

    /// <summary><c>host:port</c>, with an IPv6 address in brackets (Go's net.JoinHostPort).</summary>
    public static string Join(string host, int port)
    {
        var text = port.ToString(CultureInfo.InvariantCulture);
        return host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{text}" : $"{host}:{text}";
    }

    private static bool IsEveryInterface(string host) =>
        host is "" or "*" || (IPAddress.TryParse(host, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)));

    /// <summary>Addresses Go's IP.IsGlobalUnicast accepts: not loopback, link-local, multicast or unspecified.</summary>
    internal static IEnumerable<IPAddress> GlobalUnicastAddresses()
    {
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            yield break;
        }

        foreach (var networkInterface in interfaces)
        {
            UnicastIPAddressInformationCollection addresses;
            try
            {
                addresses = networkInterface.GetIPProperties().UnicastAddresses;
            }
            catch (NetworkInformationException)
            {
                continue;
            }

            foreach (var unicast in addresses)
            {
                var address = unicast.Address;
                if (IsGlobalUnicast(address))
                {
                    yield return address;
                }
            }
        }
    }

    private static bool IsGlobalUnicast(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            var linkLocal = bytes[0] == 169 && bytes[1] == 254;
            var multicastOrBroadcast = bytes[0] >= 224;
            return !linkLocal && !multicastOrBroadcast;
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            && !address.IsIPv6LinkLocal
            && !address.IsIPv6Multicast
            && !address.IsIPv4MappedToIPv6;
    }
}
