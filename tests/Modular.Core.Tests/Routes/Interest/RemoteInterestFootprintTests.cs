using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Accounts;
using Modular.Core.Routes.Interest;
using Modular.Core.Delivery;
using Modular.Core.Subjects;
using Xunit.Abstractions;

namespace Modular.Core.Tests.Routes.Interest;

/// <summary>
/// What one remote subscription costs in managed heap: 50,000 distinct subjects registered through
/// the route-interest path (RS+ → RemoteInterest → the account's SubscriptionIndex), measured with
/// GC.GetTotalMemory(true) around it. A cluster node holds every peer's interest, so this is most
/// of a node's memory under many subscriptions.
/// </summary>
[Collection(Modular.Core.Tests.Subjects.HeapFootprintCollection.Name)]
public class RemoteInterestFootprintTests(ITestOutputHelper output)
{
    private const int Subscriptions = 50_000;

    [Fact]
    public void FiftyThousandRemoteSubscriptions_StayWithinTheBytesPerSubscriptionBudget()
    {
        var accounts = new AccountRegistry([]);
        var interest = new RemoteInterest(new RoutePeer(), accounts, NullLogger.Instance);
        var lines = new byte[Subscriptions][];
        for (int i = 0; i < Subscriptions; i++)
        {
            lines[i] = Encoding.ASCII.GetBytes($"bench.orders.{i}");
        }

        // The first subscription creates the account's index and its trie root: not per subscription.
        interest.Subscribe("$G"u8, default, "warm.up"u8, default, 1);

        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Subscriptions; i++)
        {
            interest.Subscribe("$G"u8, default, lines[i], default, 1);
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        double perSubscription = (after - before) / (double)Subscriptions;
        output.WriteLine($"{perSubscription:F0} bytes per remote subscription");

        Assert.Equal(Subscriptions + 1, interest.Count);
        Assert.Equal(Subscriptions + 1, accounts.Global.Subscriptions.Count);
        Assert.InRange(perSubscription, 1, BudgetBytes);
        GC.KeepAlive(interest);
        GC.KeepAlive(lines);
    }

    // Measured 252 (run alone); 268 before a subscription stopped keeping its owner in a third field
    // and a trie node its plain subscriptions in two; 532 before a trie node kept its single
    // subscription in a field, RemoteInterest stopped keeping a key string per entry and trie tokens
    // became slices of the subject. The budget leaves room for runtime differences only.
    private const double BudgetBytes = 280;

    /// <summary>A route as the index sees it: its interest came from the cluster and is not announced again.</summary>
    private sealed class RoutePeer : IMessagePeer
    {
        public ulong Id => 1;

        public bool AnnouncesInterest => false;

        public bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) => true;
    }
}
