using Modular.Abstractions.Compression;
using Modular.Core.Routes.Handshake;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Routes;

/// <summary>
/// What a route connection needs of the cluster: the handshake's needs, the server facts, where it
/// registers, and whom it tells what the peer said. The cluster (<see cref="RouteManager"/>)
/// implements it; a connection never sees more of the cluster than this.
/// </summary>
public interface IRouteSessionHost : IRouteHandshakeHost
{
    IClusterHost Host { get; }

    ICompressionProvider? Compression { get; }

    TimeSpan PingInterval { get; }

    /// <summary>Places a connection whose peer INFO was accepted (see <see cref="RoutePlacement"/>).</summary>
    RegistrationOutcome TryRegister(RouteConnection route, RouteInfo info);

    void OnRouteClosed(RouteConnection route);

    /// <summary>An INFO after the first arrived on <paramref name="via"/>: <paramref name="update"/> says what it means.</summary>
    void OnInfoUpdate(RouteConnection via, InfoUpdate update, RouteInfo info);

    /// <summary>The peer answered our pinned route for <paramref name="account"/> with "No route for account".</summary>
    void OnPinRefused(string remoteId, string account);
}
