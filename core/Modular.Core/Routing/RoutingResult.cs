namespace Modular.Core.Routing;

/// <summary>What one message's routing did.</summary>
/// <param name="Delivered">Someone took it (a local subscriber, or a peer that has interest or was picked for a queue): no "no responders" then.</param>
/// <param name="Copies">Copies queued: one per local subscription served plus one per peer connection (the /varz out figure).</param>
public readonly record struct RoutingResult(bool Delivered, int Copies);
