using Modular.Core.Routes;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Tests.Routes.Peers;

public class RoutePlacementTests
{
    private const string Small = "A-SMALLER";
    private const string Large = "Z-LARGER";

    private static readonly PlacedRoute Dialed = new(DidSolicit: true, IsClosing: false);
    private static readonly PlacedRoute Accepted = new(DidSolicit: false, IsClosing: false);
    private static readonly PlacedRoute Closing = new(DidSolicit: false, IsClosing: true);

    private static PlacementRequest Request(
        bool didSolicit,
        string ourId = Small,
        string peerId = Large,
        string? pinned = null,
        int localPool = 3,
        int peerPool = 3,
        int peerIndex = 0,
        bool pinnable = true,
        PlacedRoute? existingPinned = null,
        int effective = 0,
        PlacedRoute?[]? slots = null,
        PlacedRoute? single = null) => new()
    {
        OurId = ourId,
        PeerId = peerId,
        DidSolicit = didSolicit,
        PinnedAccount = pinned,
        LocalPoolSize = localPool,
        PeerPoolSize = peerPool,
        PeerPoolIndex = peerIndex,
        AccountPinnable = pinnable,
        ExistingPinned = existingPinned,
        EffectivePoolSize = effective,
        Slots = slots ?? [],
        Single = single,
    };

    public static TheoryData<string, bool, bool, bool> DuplicateCases => new()
    {
        // name, our side dialed the candidate, existing was dialed by us, candidate stays
        { "we are smaller, candidate we dialed replaces the one they dialed", true, false, true },
        { "we are smaller, candidate they dialed loses to the one we dialed", false, true, false },
        { "two dialed by us: first stays", true, true, false },
        { "two dialed by them: first stays", false, false, false },
    };

    [Theory]
    [MemberData(nameof(DuplicateCases))]
    public void Replaces_SmallerIdDialerWins_BothSidesAgree(string name, bool candidateDialedByUs, bool existingDialedByUs, bool expected)
    {
        _ = name;
        var existing = new PlacedRoute(existingDialedByUs, IsClosing: false);
        Assert.Equal(expected, RoutePlacement.Replaces(candidateDialedByUs, existing, Small, Large));

        // The peer sees the same two connections the other way round and must keep the same one.
        var mirroredExisting = new PlacedRoute(!existingDialedByUs, IsClosing: false);
        Assert.Equal(expected, RoutePlacement.Replaces(!candidateDialedByUs, mirroredExisting, Large, Small));
    }

    [Fact]
    public void Replaces_ExistingClosing_CandidateStays()
    {
        Assert.True(RoutePlacement.Replaces(candidateDidSolicit: false, Closing, Large, Small));
    }

    [Fact]
    public void Decide_DialedPooledRoute_TakesFirstFreeSlot()
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: true, slots: [Dialed, null, null], effective: 3));
        Assert.Equal(PlacementKind.PoolSlot, decision.Kind);
        Assert.Equal(1, decision.Index);
        Assert.False(decision.ReplacesExisting);
    }

    [Fact]
    public void Decide_DialedPooledRouteWithFullPool_RefusedPoolFull()
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: true, slots: [Dialed, Dialed, Accepted], effective: 3));
        Assert.Equal(PlacementKind.Refused, decision.Kind);
        Assert.Equal(RegistrationResult.Close, decision.Refusal.Result);
        Assert.Equal(RouteCloseReason.RoutePoolFull, decision.Refusal.Reason);
    }

    [Theory]
    [InlineData(3, 5, 5)]
    [InlineData(5, 3, 5)]
    [InlineData(3, 3, 3)]
    public void Decide_PoolSizesDiffer_EffectiveIsTheLarger(int local, int peer, int expected)
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: true, localPool: local, peerPool: peer));
        Assert.Equal(PlacementKind.PoolSlot, decision.Kind);
        Assert.Equal(0, decision.Index);
        Assert.Equal(expected, decision.EffectivePoolSize);
    }

    [Fact]
    public void Decide_AcceptedRouteNamesItsIndex_TakesThatSlot()
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: false, peerIndex: 2, slots: [Dialed, null, null]));
        Assert.Equal(PlacementKind.PoolSlot, decision.Kind);
        Assert.Equal(2, decision.Index);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Decide_AcceptedRouteIndexOutOfPool_ErrorProtocolViolation(int index)
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: false, peerIndex: index));
        Assert.Equal(RegistrationResult.Error, decision.Refusal.Result);
        Assert.Equal(RouteCloseReason.ProtocolViolation, decision.Refusal.Reason);
        Assert.Equal($"Invalid route pool index: {index} - pool size is 3", decision.Refusal.Error);
    }

    [Theory]
    [InlineData(Large, Small, true)] // the peer has the smaller id: its dial (accepted here) wins
    [InlineData(Small, Large, false)] // we have the smaller id: our dial in the slot stays
    public void Decide_AcceptedRouteForSlotWeDialed_SmallerIdDialerWins(string ourId, string peerId, bool replaces)
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: false, ourId: ourId, peerId: peerId, peerIndex: 0, slots: [Dialed, null, null]));
        if (replaces)
        {
            Assert.Equal(PlacementKind.PoolSlot, decision.Kind);
            Assert.True(decision.ReplacesExisting);
        }
        else
        {
            Assert.Equal(PlacementKind.Refused, decision.Kind);
            Assert.Equal(RouteCloseReason.DuplicateRoute, decision.Refusal.Reason);
        }
    }

    [Fact]
    public void Decide_PeerDoesNotPool_SingleRoute()
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: true, peerPool: 0));
        Assert.Equal(PlacementKind.Single, decision.Kind);
        Assert.False(decision.ReplacesExisting);
    }

    [Fact]
    public void Decide_WeDoNotPool_SingleRoute()
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: false, localPool: 0, peerPool: 3, peerIndex: 2));
        Assert.Equal(PlacementKind.Single, decision.Kind);
    }

    [Fact]
    public void Decide_DialedSingleWhilePeerHasPooledSlots_RefusedPoolFull()
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: true, peerPool: 0, slots: [Accepted]));
        Assert.Equal(RouteCloseReason.RoutePoolFull, decision.Refusal.Reason);
    }

    [Theory]
    [InlineData(true, Small, Large, true)] // we dialed, smaller id: replaces their accepted single
    [InlineData(true, Large, Small, false)] // we dialed, larger id: their accepted single stays
    public void Decide_SecondSingleRoute_DuplicateRuleDecides(bool didSolicit, string ourId, string peerId, bool replaces)
    {
        var decision = RoutePlacement.Decide(Request(didSolicit, ourId: ourId, peerId: peerId, peerPool: 0, single: Accepted));
        Assert.Equal(replaces ? PlacementKind.Single : PlacementKind.Refused, decision.Kind);
        Assert.Equal(replaces, decision.ReplacesExisting);
    }

    [Fact]
    public void Decide_SingleRouteExistingClosing_Replaces()
    {
        var decision = RoutePlacement.Decide(Request(didSolicit: false, peerPool: 0, single: Closing));
        Assert.Equal(PlacementKind.Single, decision.Kind);
        Assert.True(decision.ReplacesExisting);
    }

    public static TheoryData<string, int, int, bool, PlacedRoute?, RegistrationResult, RouteCloseReason, string?> PinnedCases => new()
    {
        // name, local pool, peer pool, pinnable, existing pinned, result, reason, error
        { "we do not pool", 0, 3, true, null, RegistrationResult.Close, RouteCloseReason.DuplicateRoute, null },
        { "peer does not pool", 3, 0, true, null, RegistrationResult.Error, RouteCloseReason.DuplicateRoute, "Not possible to have a dedicated route for account \"ORDERS\" between those servers" },
        { "account not pinned here", 3, 3, false, null, RegistrationResult.Error, RouteCloseReason.MissingAccount, "No route for account \"ORDERS\"" },
        { "a live pinned route exists", 3, 3, true, new PlacedRoute(true, false), RegistrationResult.Close, RouteCloseReason.DuplicateRoute, null },
        { "pinned route free", 3, 3, true, null, RegistrationResult.Registered, RouteCloseReason.ClientClosed, null },
        { "existing pinned route closing", 3, 3, true, new PlacedRoute(true, true), RegistrationResult.Registered, RouteCloseReason.ClientClosed, null },
    };

    [Theory]
    [MemberData(nameof(PinnedCases))]
    public void Decide_PinnedRoute_AsNatsServer(string name, int localPool, int peerPool, bool pinnable, PlacedRoute? existing, RegistrationResult result, RouteCloseReason reason, string? error)
    {
        _ = name;
        foreach (var didSolicit in new[] { true, false })
        {
            var decision = RoutePlacement.Decide(Request(didSolicit, pinned: "ORDERS", localPool: localPool, peerPool: peerPool, pinnable: pinnable, existingPinned: existing));
            Assert.Equal(result, decision.Refusal.Result);
            Assert.Equal(reason, decision.Refusal.Reason);
            Assert.Equal(error, decision.Refusal.Error);
            Assert.Equal(result == RegistrationResult.Registered ? PlacementKind.Pinned : PlacementKind.Refused, decision.Kind);
        }
    }
}
