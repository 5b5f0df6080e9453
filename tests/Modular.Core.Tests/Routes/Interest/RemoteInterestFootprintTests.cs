using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Accounts;
using Modular.Core.Routes.Interest;
using Modular.Core.Tests.Routing;
using Xunit.Abstractions;

namespace Modular.Core.Tests.Routes.Interest;

/// <summary>
/// What one remote subscription costs in managed heap: 50,000 distinct subjects registered through
/// the route-interest path (RS+ → RemoteInterest → the account's SubscriptionIndex), measured with
/// GC.GetTotalMemory(true) around it. A cluster node holds every peer's interest, so this is most
/// of a node's memory under many subscriptions.
/// </summary>
public class RemoteInterestFootprintTests(ITestOutputHelper output)
{
    private const int Subscriptions = 50_000;

    [Fact]
    public void FiftyThousandRemoteSubscriptions_StayWithinTheBytesPerSubscriptionBudget()
    {
        var accounts = new AccountRegistry([]);
        var interest = new RemoteInterest(new FakePeer(1), accounts, NullLogger.Instance);
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

    private const double BudgetBytes = 10_000;
}
