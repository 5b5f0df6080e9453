using Modular.Abstractions.Transport;

namespace Modular.Plugins.Tls;

/// <summary>
/// The name a dialing server checks a route peer's certificate against: server_name when set, else
/// the host of the route URL that was dialed (the <see cref="DialedUrl"/> feature), never an address
/// it resolved to. A URL that names an address (a gossiped peer) is checked against the first host
/// name among the configured routes, as nats-server does; with no host name anywhere, the address itself.
/// </summary>
internal sealed class RouteServerNames(string? serverName, IReadOnlyList<Uri> routes)
{
    public string For(DialedUrl? dialed)
    {
        if (serverName is not null)
        {
            return serverName;
        }

        if (dialed?.Url is { HostNameType: UriHostNameType.Dns } named)
        {
            return named.IdnHost;
        }

        var firstNamed = routes.FirstOrDefault(u => u.HostNameType == UriHostNameType.Dns);
        return firstNamed?.IdnHost ?? dialed?.Url.IdnHost ?? "";
    }
}
