using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Modular.Core.Config;

/// <summary>
/// Parses listen and advertise addresses: "host:port", "[ipv6]:port", or ":port" for every
/// interface. The host is an IP address or a DNS name; the port is 0..65535 (0 picks a free one).
/// </summary>
public static class HostPortParser
{
    /// <summary>
    /// Parses <paramref name="text"/>. When <paramref name="defaultPort"/> is given, the port may be
    /// left out. On failure <paramref name="error"/> says what is wrong.
    /// </summary>
    public static bool TryParse(string text, int? defaultPort, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        error = "";
        var s = text.Trim();
        string hostPart;
        string? portPart;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "missing ] after an IPv6 address";
                return false;
            }

            hostPart = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length == 0)
            {
                portPart = null;
            }
            else if (rest[0] == ':')
            {
                portPart = rest[1..];
            }
            else
            {
                error = "expected :port after ]";
                return false;
            }

            if (!IPAddress.TryParse(hostPart, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"\"{hostPart}\" is not an IPv6 address";
                return false;
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon >= 0 && s.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = "write an IPv6 address in brackets, like \"[::1]:4222\"";
                return false;
            }

            if (colon < 0 && s.Length > 0 && s.All(char.IsAsciiDigit))
            {
                error = $"missing host; write \"0.0.0.0:{s}\" for every interface";
                return false;
            }

            hostPart = colon >= 0 ? s[..colon] : s;
            portPart = colon >= 0 ? s[(colon + 1)..] : null;
            if (hostPart.Length == 0)
            {
                hostPart = "0.0.0.0";
            }
            else if (!IsIPv4(hostPart) && Uri.CheckHostName(hostPart) != UriHostNameType.Dns)
            {
                error = $"\"{hostPart}\" is not an IP address or host name";
                return false;
            }
        }

        if (portPart is null)
        {
            if (defaultPort is null)
            {
                error = "missing port";
                return false;
            }

            port = defaultPort.Value;
        }
        else if (portPart.Length == 0 || portPart.Length > 5
                 || !int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out port)
                 || port > 65535)
        {
            error = $"\"{portPart}\" is not a port (0..65535)";
            return false;
        }

        host = hostPart;
        return true;
    }

    /// <summary>Dotted-quad only: IPAddress.TryParse also takes forms like "4222" or "10.1".</summary>
    private static bool IsIPv4(string host) =>
        host.Count(c => c == '.') == 3 && IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetwork;
}
