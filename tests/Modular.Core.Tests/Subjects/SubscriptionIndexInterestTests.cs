using Modular.Core.Delivery;
using Modular.Core.Subjects;
using static Modular.Core.Tests.Subjects.Subs;

namespace Modular.Core.Tests.Subjects;

public class SubscriptionIndexInterestTests
{
    private static (SubscriptionIndex Index, List<InterestChange> Events) Listening()
    {
        var index = new SubscriptionIndex();
        var events = new List<InterestChange>();
        index.ListenToInterest(new Recorder(events));
        return (index, events);
    }

    [Fact]
    public void Insert_PlainSubject_FirstRaisedOnceLastRaisedOnce()
    {
        var (index, events) = Listening();
        var first = Make("orders.new");
        var second = Make("orders.new");
        index.Insert(first);
        index.Insert(second);
        index.Remove(first);
        Assert.Equal([new InterestChange("orders.new", null, 1)], events);
        index.Remove(second);
        Assert.Equal([new InterestChange("orders.new", null, 1), new InterestChange("orders.new", null, 0)], events);
        Assert.True(events[^1].IsLast);
    }

    [Fact]
    public void Insert_QueueMembers_EveryWeightChangeRaised()
    {
        var (index, events) = Listening();
        var a = Make("work", "q");
        var b = Make("work", "q");
        index.Insert(a);
        index.Insert(b);
        index.Remove(a);
        index.Remove(b);
        Assert.Equal([1, 2, 1, 0], events.Select(e => e.Count));
        Assert.All(events, e => Assert.Equal(("work", "q"), (e.Subject, e.Queue)));
    }

    [Fact]
    public void Insert_SameSubjectPlainAndQueue_CountedApart()
    {
        var (index, events) = Listening();
        index.Insert(Make("s"));
        index.Insert(Make("s", "q"));
        index.Insert(Make("s"));
        Assert.Equal([new InterestChange("s", null, 1), new InterestChange("s", "q", 1)], events);
    }

    [Fact]
    public void Insert_OwnerThatDoesNotAnnounce_NoEventButMatched()
    {
        var (index, events) = Listening();
        var remote = MakeRemote("from.peer", new RemoteOwner());
        index.Insert(remote);
        Assert.Empty(events);
        Assert.Single(index.Match(B("from.peer")).Plain);
        index.Remove(remote);
        Assert.Empty(events);
    }

    [Fact]
    public void Insert_SameSubscriptionTwiceOrRemovedTwice_CountedOnce()
    {
        var (index, events) = Listening();
        var sub = Make("x");
        index.Insert(sub);
        index.Insert(sub);
        Assert.True(index.Remove(sub));
        Assert.False(index.Remove(sub));
        Assert.Equal([1, 0], events.Select(e => e.Count));
    }

    [Fact]
    public void VisitLocalInterest_CountsPerSubjectAndQueue()
    {
        var (index, _) = Listening();
        index.Insert(Make("a"));
        index.Insert(Make("a"));
        index.Insert(Make("b", "q"));
        index.Insert(Make("b", "q"));
        index.Insert(MakeRemote("c", new RemoteOwner()));
        var seen = new Dictionary<(string, string?, string?), int>();
        index.VisitLocalInterest(seen, static (into, interest) =>
        {
            foreach (var (key, count) in interest)
            {
                into[(key.SubjectText, key.QueueText, key.Origin)] = count;
            }
        });
        Assert.Equal(new Dictionary<(string, string?, string?), int> { [("a", null, null)] = 2, [("b", "q", null)] = 2 }, seen);
    }

    private sealed class Recorder(List<InterestChange> events) : IInterestListener
    {
        public void OnInterestChanged(in InterestChange change) => events.Add(change);
    }

    [Fact]
    public void Insert_LeafInterestWithOrigin_KeptApartFromClientsAndRaisedWithTheOrigin()
    {
        var (index, events) = Listening();
        var leaf = new LeafOwner();
        index.Insert(Make("s"));
        var fromLeaf = MakeRemote("s", leaf);
        index.Insert(fromLeaf);
        index.Remove(fromLeaf);

        Assert.Equal([new InterestChange("s", null, 1), new InterestChange("s", null, 1, "edge"), new InterestChange("s", null, 0, "edge")], events);
    }

    [Fact]
    public void LeafInterestLines_PeerSaysLnoc_LsPlusWithOriginElseRsPlus()
    {
        var account = new Modular.Core.Accounts.Account("A");
        var line = new System.Text.StringBuilder();
        Modular.Core.Routes.Interest.InterestLines.AppendSubscribe(line, account, accountImplied: false, "s", "q", 2, origin: "edge");
        Modular.Core.Routes.Interest.InterestLines.AppendSubscribe(line, account, accountImplied: false, "s", null, 1, origin: null);

        Assert.Equal("LS+ edge A s q 2\r\nRS+ A s\r\n", line.ToString());
        Assert.Equal("LS- edge A s\r\n", System.Text.Encoding.ASCII.GetString(Modular.Core.Routes.Interest.InterestLines.Unsubscribe(account, false, "s", null, "edge", withOrigin: true)));
        Assert.Equal("LS- A s\r\n", System.Text.Encoding.ASCII.GetString(Modular.Core.Routes.Interest.InterestLines.Unsubscribe(account, false, "s", null, "edge", withOrigin: false)));
    }

    /// <summary>A leaf node of cluster "edge" that dialed us: its interest is announced, with its origin.</summary>
    private sealed class LeafOwner : IMessagePeer
    {
        public ulong Id => 3;

        public string? LeafOrigin => "edge";

        public bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) => false;
    }

    private sealed class RemoteOwner : IMessagePeer
    {
        public ulong Id => 2;

        public bool AnnouncesInterest => false;

        public bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) => false;
    }
}
