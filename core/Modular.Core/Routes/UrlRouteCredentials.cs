using Modular.Abstractions.Auth;

namespace Modular.Core.Routes;

/// <summary>The built-in route credentials: the user and password in the route URL (nats-route://user:pass@host:port).</summary>
public sealed class UrlRouteCredentials : IRouteCredentialsProvider
{
    public static readonly UrlRouteCredentials Instance = new();

    public RouteCredentials CredentialsFor(Uri routeUrl)
    {
        if (string.IsNullOrEmpty(routeUrl.UserInfo))
        {
            return default;
        }

        var parts = routeUrl.UserInfo.Split(':', 2);
        return new RouteCredentials(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null);
    }
}
