using Modular.Abstractions.Discovery;

namespace Modular.Core.Routes;

/// <summary>The built-in discovery: dial exactly the configured routes; learn nothing from peers.</summary>
public sealed class StaticRouteDiscovery(IReadOnlyList<Uri> routes) : IRouteDiscovery
{
    public IReadOnlyList<Uri> InitialRoutes { get; } = routes;

    public void Attach(IRouteDialer dialer)
    {
    }

    public IReadOnlyList<Uri> OnPeerInfo(RoutePeerInfo peer) => Array.Empty<Uri>();
}
