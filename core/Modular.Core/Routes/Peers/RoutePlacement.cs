namespace Modular.Core.Routes.Peers;

/// <summary>What the placement rules need to know of a connection already in the registry.</summary>
public readonly record struct PlacedRoute(bool DidSolicit, bool IsClosing);

/// <summary>
/// A connection whose peer INFO just arrived, and what the registry holds for that peer: the
/// input of <see cref="RoutePlacement.Decide"/>. Values only, so the rules are tested without sockets.
/// </summary>
public readonly record struct PlacementRequest
{
    public required string OurId { get; init; }

    public required string PeerId { get; init; }

    public required bool DidSolicit { get; init; }

    /// <summary>The account of a pinned route: the one we dialed for, or the peer's route_account.</summary>
    public string? PinnedAccount { get; init; }

    /// <summary>Our pool_size (0: we do not pool).</summary>
    public int LocalPoolSize { get; init; }

    /// <summary>The peer's route_pool_size (0: it does not pool).</summary>
    public int PeerPoolSize { get; init; }

    /// <summary>The pool index the dialing peer named (accepted routes only).</summary>
    public int PeerPoolIndex { get; init; }

    /// <summary>True when we pin <see cref="PinnedAccount"/>, or the peer asked us to by reload.</summary>
    public bool AccountPinnable { get; init; }

    /// <summary>The route already pinned to <see cref="PinnedAccount"/> for this peer.</summary>
    public PlacedRoute? ExistingPinned { get; init; }

    /// <summary>The pool size settled with this peer so far (0 before its first pooled route).</summary>
    public int EffectivePoolSize { get; init; }

    /// <summary>The peer's pool slots as they are (null: free).</summary>
    public IReadOnlyList<PlacedRoute?> Slots { get; init; }

    /// <summary>The one connection of a peer that does not pool.</summary>
    public PlacedRoute? Single { get; init; }
}

public enum PlacementKind
{
    /// <summary>The connection is refused: <see cref="PlacementDecision.Refusal"/> says how.</summary>
    Refused,

    /// <summary>A route dedicated to one account.</summary>
    Pinned,

    /// <summary>Pool slot <see cref="PlacementDecision.Index"/>.</summary>
    PoolSlot,

    /// <summary>The one connection of a peer that does not pool (or of a server that does not).</summary>
    Single,
}

/// <summary>
/// Where a connection goes. <see cref="ReplacesExisting"/>: the connection in that place now is
/// closed as a duplicate. <see cref="EffectivePoolSize"/>: the pool size settled with the peer.
/// </summary>
public readonly record struct PlacementDecision(PlacementKind Kind, int Index, bool ReplacesExisting, int EffectivePoolSize, RegistrationOutcome Refusal)
{
    public static PlacementDecision Refuse(RegistrationResult result, RouteCloseReason reason, string? error = null) =>
        new(PlacementKind.Refused, 0, false, 0, new RegistrationOutcome(result, reason, error));
}

/// <summary>
/// The registry's rules, as pure functions: which place a new connection takes (a pinned
/// account's route, a pool slot, or the single connection of a peer that does not pool), and
/// which of two connections for one place stays. Both sides of a duplicate decide alike.
/// </summary>
public static class RoutePlacement
{
    public static PlacementDecision Decide(in PlacementRequest request)
    {
        var wePool = request.LocalPoolSize > 0;
        var peerPools = request.PeerPoolSize > 0;
        if (request.PinnedAccount is { } account)
        {
            if (!wePool)
            {
                return PlacementDecision.Refuse(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
            }

            if (!peerPools)
            {
                return PlacementDecision.Refuse(RegistrationResult.Error, RouteCloseReason.DuplicateRoute, $"Not possible to have a dedicated route for account \"{account}\" between those servers");
            }

            if (!request.AccountPinnable)
            {
                return PlacementDecision.Refuse(RegistrationResult.Error, RouteCloseReason.MissingAccount, $"No route for account \"{account}\"");
            }

            // As nats-server: the first route pinned to an account wins, a second one is closed and not redialed.
            if (request.ExistingPinned is { IsClosing: false })
            {
                return PlacementDecision.Refuse(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
            }

            return new(PlacementKind.Pinned, 0, false, request.EffectivePoolSize, RegistrationOutcome.Registered);
        }

        if (wePool && peerPools)
        {
            var effective = Math.Max(request.EffectivePoolSize, Math.Max(request.LocalPoolSize, request.PeerPoolSize));
            if (request.DidSolicit)
            {
                for (var i = 0; i < effective; i++)
                {
                    if (i >= request.Slots.Count || request.Slots[i] is null)
                    {
                        return new(PlacementKind.PoolSlot, i, false, effective, RegistrationOutcome.Registered);
                    }
                }

                return PlacementDecision.Refuse(RegistrationResult.Close, RouteCloseReason.RoutePoolFull);
            }

            var index = request.PeerPoolIndex;
            if (index < 0 || index >= effective)
            {
                return PlacementDecision.Refuse(RegistrationResult.Error, RouteCloseReason.ProtocolViolation, $"Invalid route pool index: {index} - pool size is {effective}");
            }

            var existing = index < request.Slots.Count ? request.Slots[index] : null;
            if (existing is { } occupied && !Replaces(request.DidSolicit, occupied, request.OurId, request.PeerId))
            {
                return PlacementDecision.Refuse(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
            }

            return new(PlacementKind.PoolSlot, index, existing is not null, effective, RegistrationOutcome.Registered);
        }

        if (request.DidSolicit && HasAny(request.Slots))
        {
            return PlacementDecision.Refuse(RegistrationResult.Close, RouteCloseReason.RoutePoolFull);
        }

        if (request.Single is { } current && !Replaces(request.DidSolicit, current, request.OurId, request.PeerId))
        {
            return PlacementDecision.Refuse(RegistrationResult.Close, RouteCloseReason.DuplicateRoute);
        }

        return new(PlacementKind.Single, 0, request.Single is not null, request.EffectivePoolSize, RegistrationOutcome.Registered);
    }

    /// <summary>
    /// Of two connections for one place, both sides keep the one dialed by the server with the
    /// smaller id; a closing one always gives way, and of two dialed the same way the first stays.
    /// </summary>
    public static bool Replaces(bool candidateDidSolicit, PlacedRoute existing, string ourId, string peerId)
    {
        if (existing.IsClosing)
        {
            return true;
        }

        if (candidateDidSolicit == existing.DidSolicit)
        {
            return false;
        }

        var winnerDialer = string.CompareOrdinal(ourId, peerId) < 0 ? ourId : peerId;
        var candidateDialer = candidateDidSolicit ? ourId : peerId;
        return candidateDialer == winnerDialer;
    }

    private static bool HasAny(IReadOnlyList<PlacedRoute?> slots)
    {
        foreach (var slot in slots)
        {
            if (slot is not null)
            {
                return true;
            }
        }

        return false;
    }
}
