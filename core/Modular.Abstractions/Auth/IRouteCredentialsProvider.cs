namespace Modular.Abstractions.Auth;

/// <summary>Supplies the credentials for a route we dial. The default takes them from the route URL's userinfo.</summary>
public interface IRouteCredentialsProvider
{
    RouteCredentials CredentialsFor(Uri routeUrl);
}
