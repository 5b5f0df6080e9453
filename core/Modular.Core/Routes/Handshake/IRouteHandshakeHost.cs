using Modular.Abstractions.Auth;

namespace Modular.Core.Routes.Handshake;

/// <summary>What the route handshake needs of the cluster: who we are, the cluster name, credentials and authentication.</summary>
public interface IRouteHandshakeHost
{
    string ServerId { get; }

    string ServerName { get; }

    string ClusterName { get; }

    bool IsClusterNameDynamic { get; }

    IRouteCredentialsProvider Credentials { get; }

    IAuthenticator Authenticator { get; }

    /// <summary>Our route INFO, for the connection it goes on.</summary>
    RouteInfo BuildInfo(RouteConnection? via);

    /// <summary>True when the peer's cluster name is ours, or ours (dynamic) became theirs.</summary>
    bool TryAdoptClusterName(string? theirs, bool theirsDynamic, RouteConnection? via);
}
