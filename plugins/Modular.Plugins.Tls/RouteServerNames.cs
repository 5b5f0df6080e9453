using System.Net;

namespace Modular.Plugins.Tls;

/// <summary>
/// The name a dialing server checks a route peer's certificate against: server_name when set, else
/// the host of the route URL that was dialed, never an address it resolved to. The wrapper sees the
/// connected address, so it finds the configured route URL whose host resolves to that address and
/// port; a peer known only by address (a gossiped URL) is checked against the first host name among
/// the configured routes, as nats-server does; with no host name anywhere, the address literal itself.
/// </summary>
internal sealed class RouteServerNames
{
    private static readonly TimeSpan ResolveFor = TimeSpan.FromSeconds(30);

    private readonly string? _serverName;
    private readonly IReadOnlyList<Uri> _routes;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly Dictionary<string, (IPAddress[] Addresses, DateTime At)> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public RouteServerNames(string? serverName, IReadOnlyList<Uri> routes, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        _serverName = serverName;
        _routes = routes;
        _resolve = resolve ?? ((host, token) => Dns.GetHostAddressesAsync(host, token));
    }

    public async ValueTask<string> ForAsync(EndPoint? remote, CancellationToken cancellationToken)
    {
        if (_serverName is not null)
        {
            return _serverName;
        }

        var named = _routes.Where(u => u.HostNameType == UriHostNameType.Dns).ToList();
        if (remote is IPEndPoint ip)
        {
            var address = Normalize(ip.Address);
            foreach (var route in _routes.Where(u => u.Port == ip.Port))
            {
                if (route.HostNameType != UriHostNameType.Dns)
                {
                    if (IPAddress.TryParse(route.IdnHost, out var literal) && Normalize(literal).Equals(address))
                    {
                        // The URL names an address: nats-server then checks the first configured host name.
                        return named.Count > 0 ? named[0].IdnHost : route.IdnHost;
                    }

                    continue;
                }

                foreach (var candidate in await AddressesOfAsync(route.IdnHost, cancellationToken).ConfigureAwait(false))
                {
                    if (Normalize(candidate).Equals(address))
                    {
                        return route.IdnHost;
                    }
                }
            }

            return named.Count > 0 ? named[0].IdnHost : address.ToString();
        }

        return named.Count > 0 ? named[0].IdnHost : "";
    }

    private async Task<IPAddress[]> AddressesOfAsync(string host, CancellationToken cancellationToken)
    {
        lock (_resolved)
        {
            if (_resolved.TryGetValue(host, out var cached) && DateTime.UtcNow - cached.At < ResolveFor)
            {
                return cached.Addresses;
            }
        }

        IPAddress[] addresses;
        try
        {
            addresses = await _resolve(host, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException)
        {
            addresses = [];
        }

        lock (_resolved)
        {
            _resolved[host] = (addresses, DateTime.UtcNow);
        }

        return addresses;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
