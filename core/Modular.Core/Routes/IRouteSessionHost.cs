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

    void OnPeerLameDuck(RouteConnection route);

    void OnGossip(RouteConnection via, RouteInfo info);

    void OnPinRequested(RouteConnection via, RouteInfo request);

    void OnPinConfirmed(string requestId);

    /// <summary>The peer answered our pinned route for <paramref name="account"/> with "No route for account".</summary>
    void OnPinRefused(string remoteId, string account);
}
